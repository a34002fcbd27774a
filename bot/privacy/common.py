"""Shared parts of the detector: findings, kinds, placeholder and entropy helpers, validator factories."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

SENSITIVE_THRESHOLD = 0.5


@dataclass(frozen=True)
class Finding:
    kind: str  # e.g. "aws_access_key", "email"; see KIND_LABELS
    category: str  # "secret" or "personal"
    start: int
    end: int
    confidence: float  # 0..1; >= SENSITIVE_THRESHOLD means "keep local"


# kind -> human label used by describe(); never includes the matched text.
KIND_LABELS: dict[str, str] = {
    "aws_access_key": "AWS access key",
    "aws_secret_key": "AWS secret key",
    "github_token": "GitHub token",
    "gitlab_token": "GitLab token",
    "slack_token": "Slack token",
    "slack_webhook": "Slack webhook URL",
    "discord_token": "Discord bot token",
    "discord_webhook": "Discord webhook URL",
    "openai_key": "OpenAI API key",
    "anthropic_key": "Anthropic API key",
    "stripe_key": "Stripe secret key",
    "google_api_key": "Google API key",
    "azure_credential": "Azure credential",
    "gcp_credential": "Google Cloud credential",
    "twilio_key": "Twilio API key",
    "sendgrid_key": "SendGrid API key",
    "npm_token": "npm token",
    "pypi_token": "PyPI token",
    "private_key": "private key",
    "jwt": "JWT",
    "bearer_token": "bearer token",
    "password": "password",
    "url_credentials": "password in a URL",
    "generic_secret": "credential",
    "service_token": "service token",
    "email": "e-mail address",
    "phone": "phone number",
    "payment_card": "payment card number",
    "iban": "IBAN",
    "us_ssn": "US social security number",
    "uk_nino": "UK national insurance number",
    "national_id": "national ID number",
    "bank_account": "bank account number",
    "date_of_birth": "date of birth",
    "postal_address": "postal address",
    "health": "health detail",
    "financial": "financial detail",
}
PERSONAL_KINDS = frozenset(
    {"email", "phone", "payment_card", "iban", "us_ssn", "uk_nino", "date_of_birth", "postal_address"}
    | {"national_id", "bank_account"}
    | {"health", "financial"}
)

# --- shared helpers ------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PLACEHOLDER_RE = re.compile(
    r"""
      \.\.\. | \u2026                      # elided: sk-..., ghp_…
    | \*{3,} | x{4,} | \#{4,}              # masked: ****, xxxx, ####
    | ^<.*>$ | ^\[.*\]$ | ^\(.*\)$ | \u27e8[A-Z_]+_\d+\u27e9  # <YOUR_TOKEN>, [token], ⟨PASSWORD_1⟩ (bot.redact)
    | \$\{ | \{\{ | ^\$[a-z_]\w*$ | ^%\w+%$  # ${DB_PASSWORD}, {{ secrets.X }}, $TOKEN, %PASS%
    | example | placeholder | redacted | dummy | sample | mock | fake
    | your[-_ ]?(?:[a-z]+[-_ ])?(?:key|token|secret|pass(?:word)?|pw)
    | [-_]here$ | ^insert[-_] | ^replace[-_]
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Words that are labels, not values, when they appear where a credential would be.
_PLACEHOLDER_WORDS = _words(
    """
    password passwd pass pwd pw secret token key apikey api_key value string str none null nil
    true false undefined empty todo tbd fixme xxx hidden masked private passphrase credential
    credentials auth secrets tokens
    """
)


# The same test for ASCII values, split so that re can skip ahead (case-insensitive alternatives,
# or ones starting with an anchor or a repeat, are tried at every position): the anchored
# alternatives, the ones that start with a literal, and "[-_]here$". Applied to the lowercased value.
_PLACEHOLDER_AT_START = re.compile(
    r"<.*>$ | \[.*\]$ | \(.*\)$ | \$[a-z_]\w*$ | %\w+%$ | insert[-_] | replace[-_]", re.X
)
_PLACEHOLDER_INSIDE = re.compile(
    r"""\.\.\. | \u2026 | \*\*\* | xxxx | \#\#\#\# | \$\{ | \{\{
    | example | placeholder | redacted | dummy | sample | mock | fake
    | your[-_ ]?(?:[a-z]+[-_ ])?(?:key|token|secret|pass(?:word)?|pw)""",
    re.VERBOSE,
)
_HERE_ENDINGS = ("-here", "_here", "-here\n", "_here\n")  # "$" also matches before a final newline


def _is_placeholder(value: str) -> bool:
    v = value.strip("\"'`")
    lowered = v.lower()
    if len(set(lowered)) <= 2:  # "aaaa", "0000", "----"
        return True
    if lowered in _PLACEHOLDER_WORDS:
        return True
    if not v.isascii():  # case-insensitive matching differs from lowercasing outside ASCII
        return bool(_PLACEHOLDER_RE.search(v))
    return bool(
        _PLACEHOLDER_AT_START.match(lowered) or _PLACEHOLDER_INSIDE.search(lowered) or lowered.endswith(_HERE_ENDINGS)
    )


@functools.lru_cache(maxsize=1024)  # pure; several rules weigh the same token (scanner.clear_caches clears it)
def shannon_entropy(s: str) -> float:
    """Bits per character; random base64 of 20+ chars scores ~4, English words ~2.5-3.5."""
    n = len(s)
    if not n:
        return 0.0
    log2 = math.log2
    return -sum([c / n * log2(c / n) for c in Counter(s).values()])


_ASCII_DIGIT = re.compile(r"[0-9]")


def _char_classes(s: str) -> int:
    if s.isascii():  # the same count without a Python-level pass over the characters
        return (s.upper() != s) + (s.lower() != s) + (_ASCII_DIGIT.search(s) is not None)
    return any(c.islower() for c in s) + any(c.isupper() for c in s) + any(c.isdigit() for c in s)


def _has_digit(s: str) -> bool:
    """``any(c.isdigit() for c in s)``, in C for ASCII text (where isdigit means 0-9)."""
    if s.isascii():
        return _ASCII_DIGIT.search(s) is not None
    return any(c.isdigit() for c in s)


def _looks_random(body: str, min_distinct: int = 8) -> bool:
    """For prefixed tokens: the prefix is the strong signal, this just rejects fillers."""
    return not _is_placeholder(body) and len(set(body)) >= min_distinct and _char_classes(body) >= 2


_HEX_ID = re.compile(r"[0-9a-fA-F-]+")


def _high_entropy(value: str) -> float | None:
    """Confidence for an unprefixed value assigned to a secret-sounding name, or None."""
    if len(value) < 16 or not _has_digit(value) or _char_classes(value) < 2:
        return None  # no digit: an identifier like "AccountAssignments", not a random token
    if _HEX_ID.fullmatch(value) and len(value.replace("-", "")) < 32:
        return None  # short hex is an id or a hash prefix; hex secrets are 32+ digits
    h = shannon_entropy(value)
    if h < 3.0:
        return None
    return min(0.85, 0.6 + 0.1 * (h - 3.0))


# --- validators: (match) -> confidence or None (reject) ------------------------------------

# A validator returns a confidence, or a confidence and the span to report when it is not one of
# the rule's groups (a value found after a context word), or None to reject the match.
Validator = Callable[[re.Match[str]], "float | tuple[float, int, int] | None"]


def _prefixed(confidence: float) -> Validator:
    """For ``prefix + body`` tokens: accept unless the body is filler (``ghp_xxxx…``)."""

    def check(m: re.Match[str]) -> float | None:
        return confidence if _looks_random(m.group("body")) else None

    return check


def _not_example(confidence: float) -> Validator:
    def check(m: re.Match[str]) -> float | None:
        return None if _is_placeholder(m.group(0)) else confidence

    return check


_EXAMPLE_DOMAIN = re.compile(r"(?i)(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost)$|^localhost$")


def _at_word_start(check: Validator) -> Validator:
    """For rules written without a leading ``\\b`` (it defeats re's fast first-character scan)."""

    def at_word_start(m: re.Match[str]) -> float | tuple[float, int, int] | None:
        return None if m.string[m.start() - 1 : m.start()].isalnum() else check(m)

    return at_word_start
