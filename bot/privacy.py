"""Find secrets and personal data in a chat message, so the router can keep it local.

Privacy decides before complexity: a turn with any finding of confidence >= 0.5 must never
leave the machine. The detector is pure and fast (no I/O, regexes compiled at import) so it
can run on every turn and on every piece of context before it is sent anywhere.

How it works: ``RULES`` is a table of (kind, regex, validator). Each regex finds candidates
cheaply; each validator rejects what only looks like a hit (placeholders, documented example
values, checksums that do not add up, low-entropy words) and returns a confidence. ``scan``
then resolves overlaps by keeping the more confident finding.

Policy decisions worth knowing:

* Placeholders are not secrets: ``sk-...``, ``<YOUR_TOKEN>``, ``${DB_PASSWORD}``, ``****``,
  ``xxxx``, ``your-api-key-here``, values containing "example"/"placeholder"/"redacted", and
  the bare words "password"/"secret"/"token" used as values (as in ``user:password@host``).
* AWS's documented example credentials (``AKIAIOSFODNN7EXAMPLE``, ``wJalrXUtnFEMI/...EXAMPLEKEY``)
  and the famous never-issued SSNs 123-45-6789 / 078-05-1120 are treated as examples.
* Weak passwords are still passwords: ``changeme``, ``hunter2`` or ``postgres`` stated as a
  password are reported. We cannot tell a default that is still in use from a template, and
  keeping a turn local by mistake is cheap while leaking a credential is not.
* Test payment cards (4111 1111 1111 1111) are Luhn-valid card numbers and are reported:
  the detector judges format, not whether an account exists.
* Role mailboxes (support@, noreply@, ...) are reported with low confidence (not sensitive):
  they identify an organisation, not a person. Reserved example domains are skipped.
* Stripe *test* keys are not reported; only live keys grant access to real money and data.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers

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
    "stripe_key": "Stripe live key",
    "google_api_key": "Google API key",
    "private_key": "private key",
    "jwt": "JWT",
    "bearer_token": "bearer token",
    "password": "password",
    "url_credentials": "password in a URL",
    "generic_secret": "credential",
    "email": "e-mail address",
    "phone": "phone number",
    "payment_card": "payment card number",
    "iban": "IBAN",
    "us_ssn": "US social security number",
}
PERSONAL_KINDS = frozenset({"email", "phone", "payment_card", "iban", "us_ssn"})

# --- shared helpers ------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PLACEHOLDER_RE = re.compile(
    r"""
      \.\.\. | \u2026                      # elided: sk-..., ghp_…
    | \*{3,} | x{4,} | \#{4,}              # masked: ****, xxxx, ####
    | ^<.*>$ | ^\[.*\]$ | ^\(.*\)$         # <YOUR_TOKEN>, [token]
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


def _is_placeholder(value: str) -> bool:
    v = value.strip("\"'`")
    if len(set(v.lower())) <= 2:  # "aaaa", "0000", "----"
        return True
    return v.lower() in _PLACEHOLDER_WORDS or bool(_PLACEHOLDER_RE.search(v))


def shannon_entropy(s: str) -> float:
    """Bits per character; random base64 of 20+ chars scores ~4, English words ~2.5-3.5."""
    n = len(s)
    if not n:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


def _char_classes(s: str) -> int:
    return any(c.islower() for c in s) + any(c.isupper() for c in s) + any(c.isdigit() for c in s)


def _looks_random(body: str, min_distinct: int = 8) -> bool:
    """For prefixed tokens: the prefix is the strong signal, this just rejects fillers."""
    return not _is_placeholder(body) and len(set(body)) >= min_distinct and _char_classes(body) >= 2


def _high_entropy(value: str) -> float | None:
    """Confidence for an unprefixed value assigned to a secret-sounding name, or None."""
    if len(value) < 16 or not any(c.isdigit() for c in value) or _char_classes(value) < 2:
        return None  # no digit: an identifier like "AccountAssignments", not a random token
    if re.fullmatch(r"[0-9a-fA-F-]+", value) and len(value.replace("-", "")) < 32:
        return None  # short hex is an id or a hash prefix; hex secrets are 32+ digits
    h = shannon_entropy(value)
    if h < 3.0:
        return None
    return min(0.85, 0.6 + 0.1 * (h - 3.0))


# --- validators: (match) -> confidence or None (reject) ------------------------------------

Validator = Callable[[re.Match[str]], float | None]


def _prefixed(confidence: float) -> Validator:
    """For ``prefix + body`` tokens: accept unless the body is filler (``ghp_xxxx…``)."""

    def check(m: re.Match[str]) -> float | None:
        return confidence if _looks_random(m.group("body")) else None

    return check


def _not_example(confidence: float) -> Validator:
    def check(m: re.Match[str]) -> float | None:
        return None if _is_placeholder(m.group(0)) else confidence

    return check


def _check_aws_secret(m: re.Match[str]) -> float | None:
    value = m.group("value")
    return 0.95 if not _is_placeholder(value) and shannon_entropy(value) >= 3.5 else None


def _check_private_key(m: re.Match[str]) -> float | None:
    # Drop armor headers like "Proc-Type: 4,ENCRYPTED", count base64 payload.
    payload = [ln for ln in m.group("body").splitlines() if ":" not in ln]
    return 0.99 if len(re.sub(r"[^A-Za-z0-9+/=]", "", "".join(payload))) >= 64 else None


def _b64url_json(segment: str) -> object:
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


def _check_jwt(m: re.Match[str]) -> float | None:
    try:
        header = _b64url_json(m.group("header"))
    except (ValueError, binascii.Error):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None
    return 0.95 if isinstance(header, dict) and "alg" in header else None


def _check_bearer(m: re.Match[str]) -> float | None:
    value = m.group("value")
    if _is_placeholder(value) or value.startswith("ey"):  # JWT rule reports those with a better kind
        return None
    return 0.85 if _looks_random(value, min_distinct=10) else None


def _check_url_password(m: re.Match[str]) -> float | None:
    if _is_placeholder(m.group("password")) or _EXAMPLE_DOMAIN.search(m.group("host")):
        return None  # docs: https://abc:xyz@example.com
    return 0.9


# Words that follow "password is"/"password:" in prose about passwords, not in a leaked one.
_PROSE_WORDS = _words(
    """
    a an the my your our their his her its this that these those it there here what which who
    how why where when is are was were be been being has have had not no never still also now
    just only very too so really quite always usually probably maybe in on at for to from with
    by of about into via and or but if then else same different wrong incorrect correct right
    invalid valid expired required mandatory optional missing empty blank weak strong secure
    insecure short long simple complex easy hard good bad fine ok okay new old default
    temporary temp unknown reset set saved stored hashed encrypted hidden masked visible shown
    sent changed updated generated random unique case-sensitive protected managed working
    broken locked disabled enabled below above attached following something nothing anything
    everything whatever each every one two field policy rules manager prompt requirements
    complexity length characters chars letters digits symbols must should can cannot will
    would needs need stored provided given listed written typed entered pasted shared rotated
    option options flag flags argument arguments parameter parameters param
    """
)


def _check_password_value(value: str, quoted: bool) -> float | None:
    if len(value) < 4 or _is_placeholder(value):
        return None
    if value.isalpha() and "pass" in value.lower():
        return None  # a label such as "challengePassword", not the password itself
    if " " in value:  # a passphrase, or (far more often) a sentence in a string literal
        words = value.split()
        return 0.7 if len(words) <= 5 and not _PROSE_WORDS.intersection(w.lower() for w in words) else None
    if re.fullmatch(r"[a-z]+(?:-[a-z]+)*", value):  # a plain lowercase word: prose or weak pw?
        if value in _PROSE_WORDS or re.search(r"(?:ed|ing|ly|ble|ive|ful|less|ous)$", value):
            return 0.8 if quoted else None
        return 0.7
    return 0.9


def _check_prose_password(m: re.Match[str]) -> float | None:
    if m.string[m.start() - 1 : m.start()].isalnum():
        return None  # "bypass is …", "compass was …"
    return _check_password_value(m.group("value"), quoted=m.group("quote") is not None)


# Name parts that make an assigned value a secret, and parts that say it is metadata about one.
_PASSWORD_PARTS = frozenset({"password", "passwd", "pwd", "pw", "passphrase"})
_SECRET_PARTS = frozenset(
    {"key", "apikey", "token", "secret", "secrets", "credential", "credentials", "privatekey"}
    | {"accesskey", "secretkey", "authtoken", "accesstoken", "apitoken"}
)
_METADATA_PARTS = _words(
    """
    public publishable pub id ids hash hashed digest checksum sha sha1 sha256 md5 fingerprint
    hint length len count limit limits max min size type kind format expiry expires expiration
    ttl usage used budget field env var prefix suffix url uri endpoint policy rotation version
    encoding algorithm alg error exception header label placeholder prompt schema column index
    map mapping lookup binding bindings event events press sort primary foreign partition
    cache idempotency object s3 path file filename name names reset forgot change strength
    rules mgr manager handler store helper help input form widget button dialog callback
    validator regex pattern
    """
)
_NAME_SPLIT = re.compile(r"[_.\-\s]+|(?<=[a-z0-9])(?=[A-Z])")
_CODE_REFERENCE = re.compile(
    r"""[()\[\]{}] | ^\$ | ^%\w+%$ | ^(?:os\.|process\.env|env\.|getenv|secrets\.)
      | ^[a-z_]+(?:_[a-z_]+)+$          # user_password, new_token
      | ^(?=(?:\D*\d){0,2}\D*$)[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$  # self.password, settings.SECRET_KEY
      | ^[a-z_][a-z0-9_]*(?:\.[A-Za-z_]\w*)+$                   # rust_openssl.hpke.MLKEM768PrivateKey
      | ^[A-Z]+(?:_[A-Z]+)+$           # DB_PASSWORD (a reference to a constant)
      | :// | ^[.~]?/ | \.(?:pem|key|json|ya?ml|txt|env|crt|p12|pfx)$""",
    re.VERBOSE,
)


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def _assigned_value(m: re.Match[str]) -> tuple[set[str], str, bool] | None:
    """(name parts, value, quoted) of a ``name = value`` match, or None if it is not a literal."""
    # The regex starts at the keyword (fast); the rest of the name lies before it.
    start = m.start()
    while start > 0 and m.string[start - 1] in _NAME_CHARS:
        start -= 1
    name = m.string[start : m.end("tail")]
    quoted = m.group("q") is not None
    value = m.group("q") if quoted else m.group("bare")
    if m.group("space") is not None and (not name.startswith("--") or value.isalpha() and value.islower()):
        return None  # "key points", "token economy"; only CLI flags take a space: "--token v"
    before = m.string[max(0, start - 12) : start]
    if re.search(r":(?:param|type|arg|ivar|var|raises?)\s+$", before):
        return None  # sphinx field list: ":param password: the password to use"
    if (
        m.group("op") == ":"
        and before[-1:] in ("'", '"')
        and m.string[m.end() : m.end() + 1] == before[-1]
        and re.fullmatch(r"[A-Za-z_]\w*", value)
    ):
        return None  # one string literal, "passwd:name", not an assignment
    parts = {p.lower() for p in _NAME_SPLIT.split(name) if p}
    if parts & _METADATA_PARTS or _CODE_REFERENCE.search(value):
        return None
    if not quoted and _is_code_identifier(value, m.group("op") or "", m.string[m.end() : m.end() + 40]):
        return None
    return parts, value, quoted


_TYPE_NAMES = _words("bool bytes str int float dict list tuple set any object optional callable secretstr")


def _is_code_identifier(value: str, op: str, after: str) -> bool:
    """Is an unquoted right-hand side a variable or type rather than a literal credential?

    ``password: bytes``, ``creds: StateCredentials = None``, ``f(token=token)``,
    ``password = user_input`` and numpydoc's ``pw : str`` are code. An .env line
    (``PASSWORD=sunshine``) or YAML (``password: sunshine``) is still a literal.
    """
    if not re.fullmatch(r"[A-Za-z_]\w*", value):
        return False  # digits-and-symbols soup: a literal
    if value.lower() in _TYPE_NAMES or re.fullmatch(r"(?:[A-Z][a-z]+){2,}", value):
        return True
    if after.lstrip(" \t")[:1] in (",", ")", "}", "=", "|", "["):
        return True  # an argument, a dict entry built from a variable, "name: Type = default"
    return bool(re.fullmatch(r"[a-z_]+", value)) and (op.startswith((" ", "\t")) or "=" in op and " " in op)


def _check_password_assignment(m: re.Match[str]) -> float | None:
    assigned = _assigned_value(m)
    if assigned is None or not assigned[0] & _PASSWORD_PARTS:
        return None
    return _check_password_value(assigned[1], assigned[2])


_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/=.~]+")


def _check_secret_assignment(m: re.Match[str]) -> float | None:
    assigned = _assigned_value(m)
    if assigned is None or not assigned[0] & _SECRET_PARTS:
        return None
    value = assigned[1]
    if not _TOKEN_CHARS.fullmatch(value) or _is_placeholder(value):
        return None  # keys and tokens are URL-safe or base64: no spaces, ":", ",", "#", "$"
    return _high_entropy(value)


def _check_prose_secret(m: re.Match[str]) -> float | None:
    value = m.group("value")
    if m.string[m.start() - 1 : m.start()] in _NAME_CHARS or _is_placeholder(value):
        return None  # "monkey …", "idempotency_key: …": the keyword must start a name
    if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", value):
        return None  # git SHA / sha256 digest: "the commit key 9fceb02…" is not a secret
    confidence = _high_entropy(value)
    return None if confidence is None else confidence - 0.05  # weaker evidence than name = value


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _known_iin(d: str) -> bool:
    n = len(d)
    p2, p3, p4, p6 = int(d[:2]), int(d[:3]), int(d[:4]), int(d[:6])
    return (
        (d[0] == "4" and n in (13, 16, 19))  # Visa
        or ((51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16)  # Mastercard
        or (p2 in (34, 37) and n == 15)  # American Express
        or ((p4 == 6011 or p2 == 65 or 644 <= p3 <= 649 or 622126 <= p6 <= 622925) and n >= 16)  # Discover
        or (3528 <= p4 <= 3589 and n >= 16)  # JCB
        or ((300 <= p3 <= 305 or p2 in (36, 38, 39)) and n >= 14)  # Diners Club
        or (p2 == 62 and n >= 16)  # UnionPay
    )


def _check_card(m: re.Match[str]) -> float | None:
    raw = m.group(0)
    groups = re.split(r"[ -]", raw)
    if len(groups) > 1:
        # Cards are written in groups of four (Amex 4-6-5) with one kind of separator; this
        # rejects phone numbers and other digit runs that happen to pass Luhn.
        sizes = [len(g) for g in groups]
        fours = all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4
        if len(set(re.findall(r"[ -]", raw))) > 1 or not (fours or sizes in ([4, 6, 5], [4, 6, 4])):
            return None
    digits = "".join(groups)
    return 0.9 if _known_iin(digits) and _luhn_ok(digits) else None


# IBAN length per country (ISO 13616 registry, common subset).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


def _check_iban(m: re.Match[str]) -> float | None:
    iban = m.group(0).replace(" ", "")
    if _IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return None
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)  # A=10 ... Z=35
    return 0.9 if int(number) % 97 == 1 else None


_SSN_EXAMPLES = frozenset({"123-45-6789", "078-05-1120"})  # advertising / never issued
_SSN_CONTEXT = re.compile(r"(?i)\b(?:ssn|social security|social sec|tax id|tin)\b")


def _check_ssn(m: re.Match[str]) -> float | None:
    digits = re.sub(r"\D", "", m.group("ssn"))
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    # Never issued: area 000, 666 or 900-999, group 00, serial 0000; plus well-known examples.
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return None
    if f"{area}-{group}-{serial}" in _SSN_EXAMPLES or all(len(set(g)) == 1 for g in (area, group, serial)):
        return None  # documented examples, and patterns like 111-22-3333
    before = m.string[max(0, m.start() - 40) : m.start()]
    return 0.95 if m.group("ctx") or _SSN_CONTEXT.search(before) else 0.75


_EXAMPLE_DOMAIN = re.compile(r"(?i)(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost)$|^localhost$")
_ROLE_MAILBOX = re.compile(
    r"(?i)^(?:no-?reply|do-?not-?reply|support|info|help|admin|sales|contact|billing|security"
    r"|abuse|postmaster|webmaster|hello|team|privacy|legal|press|jobs|careers|git)$"
)
_FILE_TLDS = _words(
    """
    png jpg jpeg gif svg webp ico js ts py rb go css html json yaml yml md txt
    """
)


def _check_email(m: re.Match[str]) -> float | None:
    local, domain = m.group("local"), m.group("domain")
    if _EXAMPLE_DOMAIN.search(domain) or domain.rsplit(".", 1)[-1].lower() in _FILE_TLDS:
        return None
    if _ROLE_MAILBOX.match(local) or domain.lower().endswith("noreply.github.com"):
        return 0.3  # an organisation's mailbox, not a person
    return 0.9


# Text just before a number that makes it an identifier rather than a phone number.
_NOT_PHONE_CONTEXT = re.compile(
    r"(?i)\b(?:order|invoice|ticket|case|ref|reference|id|account|acct|tracking|sku|build|issue|pr"
    r"|serial|isbn|po|version|txn|transaction|confirmation|customer|member|policy)"
    r"(?:\s*(?:number|num|no\.?|id|#))?\s*(?:is|was|[#:=])?\s*$"
)
_PHONE_CONTEXT = re.compile(
    r"(?i)\b(?:phone|call|text me|tel|mobile|cell|whatsapp|sms|reach me|dial|fax|my number|number is)\b"
)
_DATE_OR_IP = re.compile(r"^\d{1,4}([./-])\d{1,2}\1\d{1,4}$|^\d{1,3}(?:\.\d{1,3}){3}$")


def _phone_match(candidate: str, leniency: phonenumbers.Leniency) -> bool:
    """Does phonenumbers find exactly this candidate (all its digits) as one number?"""
    want = re.sub(r"\D", "", candidate)
    for region in (None, "US"):  # None: only +international numbers; then US national formats
        for match in phonenumbers.PhoneNumberMatcher(candidate, region, leniency=leniency):
            if re.sub(r"\D", "", match.raw_string) == want:
                return True
    return False


def _check_phone(m: re.Match[str]) -> float | None:
    candidate = m.group(0)
    ndigits = sum(c.isdigit() for c in candidate)
    if not 7 <= ndigits <= 15 or _DATE_OR_IP.match(candidate):
        return None
    seps = re.findall(r"[ .-]", re.sub(r"\(\d+\) ?", "", candidate))
    if "." in seps and (set(seps) != {"."} or len(seps) < 2):
        return None  # decimals and tables: 1.504 609 5178, +35236450.6; but 415.555.2671 is fine
    before = m.string[max(0, m.start() - 30) : m.start()]
    if _NOT_PHONE_CONTEXT.search(before) and not re.search(r"(?i)phone|mobile|cell", before):
        return None
    if not _phone_match(candidate, phonenumbers.Leniency.VALID):
        return None
    if _PHONE_CONTEXT.search(before):
        return 0.9
    if candidate.isdigit():
        return 0.4  # a bare 10-digit integer (2147483647, an id) is more often not a phone
    if not _phone_match(candidate, phonenumbers.Leniency.STRICT_GROUPING):
        return 0.45  # valid digits but odd grouping, like part number 33471-90901
    return 0.85 if candidate.startswith("+") else 0.75


# --- the rule table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    validate: Validator
    # The part of the match that is reported and redacted: the first of these groups that matched.
    groups: tuple[int | str, ...] = (0,)
    hints: tuple[str, ...] = ()  # lowercase substrings; if none occurs, the rule is skipped

    @property
    def category(self) -> str:
        return "personal" if self.kind in PERSONAL_KINDS else "secret"


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags | re.VERBOSE)


def _assignment(name_words: str) -> re.Pattern[str]:
    """``name = value`` where the name contains one of ``name_words``: code, .env, JSON, YAML,
    shell ``export``, HTTP headers (``X-Api-Key: v``) and CLI flags (``--token v``).

    The match starts at the keyword rather than at the start of the name so that re can use
    its fast first-character search; ``_assigned_value`` recovers the full name."""
    return _rx(
        r"(?i)(?:"
        + name_words
        + r""")(?P<tail>[\w.-]*)["']?
            (?:(?P<op>[ \t]*(?::=|=>|=|:)[ \t]*)|(?P<space>[ \t]+))  # not across lines: "if pwd:\n"
            (?:(?P<qc>["'`])(?P<q>[^"'`\n]{1,200})(?P=qc)
              |(?P<bare>[^\s"'`,;<>)}\]]{0,199}[^\s"'`,;<>)}\].:?]))"""
    )


# Speed: ``X(?<!\w.)`` is a word boundary checked *after* the first character. Unlike a leading
# ``\b`` it lets re skip ahead with its fast first-character search, which makes most rules
# nearly free on text that does not contain their prefix.
RULES: tuple[Rule, ...] = (
    Rule("aws_access_key", _rx(r"A(?<!\w.)(?:KIA|SIA)[0-9A-Z]{16}\b"), _not_example(0.95), hints=("akia", "asia")),
    Rule(
        "aws_secret_key",
        _rx(
            r"""(?i)(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s*(?:=|:|=>)\s*["']?
                (?P<value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"""
        ),
        _check_aws_secret,
        groups=("value",),
        hints=("secret",),
    ),
    Rule(
        "github_token",
        _rx(r"g(?<!\w.)(?:h[pousr]_(?P<body>[A-Za-z0-9]{36,251})|ithub_pat_(?P<pat>[A-Za-z0-9_]{60,}))\b"),
        lambda m: 0.98 if _looks_random(m.group("body") or m.group("pat")) else None,
        hints=("gh", "github_pat_"),
    ),
    Rule("gitlab_token", _rx(r"g(?<!\w.)lpat-(?P<body>[A-Za-z0-9_-]{20,})"), _prefixed(0.98), hints=("glpat-",)),
    Rule(
        "slack_token",
        _rx(r"x(?<!\w.)(?:ox[abposer](?:\.xox[bp])?-|app-)(?P<body>[A-Za-z0-9-]{10,})"),
        _prefixed(0.98),
        hints=("xox", "xapp-"),
    ),
    Rule(
        "slack_webhook",
        _rx(r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<body>[A-Za-z0-9_/]{20,})"),
        _prefixed(0.97),
        hints=("hooks.slack.com",),
    ),
    Rule(
        "discord_webhook",
        _rx(r"https?://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/\d{15,20}/(?P<body>[A-Za-z0-9_-]{40,})"),
        _prefixed(0.97),
        hints=("/api/webhooks/",),
    ),
    Rule(
        "discord_token",
        _rx(r"[MNO](?<!\w.)[A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.(?P<body>[A-Za-z0-9_-]{27,40})\b"),
        _prefixed(0.9),
    ),
    Rule("anthropic_key", _rx(r"s(?<!\w.)k-ant-(?P<body>[A-Za-z0-9_-]{20,})"), _prefixed(0.98), hints=("sk-ant-",)),
    Rule(
        "openai_key",
        _rx(r"s(?<!\w.)k-(?!ant-)(?:proj-|svcacct-|admin-)?(?P<body>[A-Za-z0-9_-]{20,})"),
        _prefixed(0.95),
        hints=("sk-",),
    ),
    Rule("stripe_key", _rx(r"[sr](?<!\w.)k_live_(?P<body>[A-Za-z0-9]{20,})\b"), _prefixed(0.98), hints=("_live_",)),
    Rule("google_api_key", _rx(r"A(?<!\w.)Iza(?P<body>[0-9A-Za-z_-]{35})(?![\w-])"), _prefixed(0.95), hints=("aiza",)),
    Rule(
        "private_key",
        _rx(
            r"""-----BEGIN[ ](?:RSA[ ]|EC[ ]|DSA[ ]|OPENSSH[ ]|ENCRYPTED[ ]|PGP[ ])?PRIVATE[ ]KEY(?:[ ]BLOCK)?-----
                (?P<body>[\s\S]*?)
                (?:-----END[ ][A-Z ]*PRIVATE[ ]KEY(?:[ ]BLOCK)?-----|\Z)"""
        ),
        _check_private_key,
        hints=("private key",),
    ),
    Rule(
        "jwt",
        _rx(r"(?P<header>e(?<!\w.)[wy][A-Za-z0-9_-]{8,})\.e[wy][A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
        _check_jwt,
        hints=("ey",),
    ),
    Rule(
        "bearer_token",
        _rx(
            r"""(?i)(?:\bauthorization["']?\s*[:=]\s*["']?(?:bearer|basic|token|bot)|\bbearer)\s+
                (?P<value>[A-Za-z0-9._~+/-]{16,}=*)"""
        ),
        _check_bearer,
        groups=("value",),
        hints=("bearer", "authorization"),
    ),
    Rule(
        "url_credentials",
        _rx(r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,15}://[^\s:/@]{0,64}:(?P<password>[^\s@/]{1,128})@(?P<host>[\w.-]+)"),
        _check_url_password,
        groups=("password",),
        hints=("://",),
    ),
    # "my password is X", "the wifi password for the office is X"
    Rule(
        "password",
        _rx(
            r"""(?i)(?:password|passwd|passphrase|passcode|pass|pwd|pw)  # word start: see validator
                (?:\s+(?:for|to|of|on|at)(?:\s+[\w@.'-]+){1,4}?)?
                \s+(?:is|was)(?:\s+(?:now|still|just|actually))?\s*:?\s+
                (?P<quote>["'`])?(?P<value>[^\s"'`]*[^\s"'`.,;:?)])"""
        ),
        _check_prose_password,
        groups=("value",),
        hints=("pass", "pw"),
    ),
    # Command lines that take a password as a short flag: mysql -pX, redis-cli -a X,
    # docker login -p X, sshpass -p X, curl -u user:X.
    Rule(
        "password",
        _rx(
            r"""(?:\bmysql\w*[^\n]{0,200}?[ ]-p(?=[^\s-])                 # mysql: -pSECRET, never "-p SECRET"
                |\b(?:sshpass|docker[ ]login|podman[ ]login|redis-cli)[^\n]{0,200}?[ ]-[pa][ ]+
                |\bcurl[^\n]{0,200}?[ ](?:-u|--user)[ ]+[^\s:]{1,64}:)
                ["']?(?P<value>[^\s"']+)"""
        ),
        lambda m: _check_password_value(m.group("value"), quoted=True),
        groups=("value",),
        hints=("mysql", "sshpass", "login", "redis-cli", "curl"),
    ),
    # name = value in code, config, .env, JSON, YAML, shell, CLI flags and headers.
    Rule(
        "password",
        _assignment(r"passw(?:or)?d|pwd|pw|passphrase"),
        _check_password_assignment,
        groups=("q", "bare"),
        hints=("pass", "pw"),
    ),
    Rule(
        "generic_secret",
        _assignment(r"key|token|secret|credentials?"),
        _check_secret_assignment,
        groups=("q", "bare"),
        hints=("key", "token", "secret", "credential"),
    ),
    # "my api key is 9c1f…", "here's the token 3fA9…": a secret named in prose, no = or :.
    Rule(
        "generic_secret",
        _rx(
            r"""(?i)(?:key|token|secret)  # no \b (speed): the validator checks the word start
                (?:[ ]+(?:is|was))?[ ]+["'`]?(?P<value>[A-Za-z0-9_\-+/=.~]{15,199}[A-Za-z0-9_\-+/=~])"""
        ),
        _check_prose_secret,
        groups=("value",),
        hints=("key", "token", "secret"),
    ),
    Rule(
        "payment_card",
        _rx(r"\d(?<![\w.+-].)(?:[ -]?\d){12,18}(?![\w.-]?\d)"),
        _check_card,
    ),
    Rule(
        "iban",
        _rx(r"[A-Z](?<!\w.)[A-Z]\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b"),
        _check_iban,
    ),
    Rule(
        "us_ssn",
        _rx(r"(?P<ssn>\d(?<![\w-].)\d\d-\d\d-\d{4})(?![\w-])(?P<ctx>)"),
        _check_ssn,
    ),
    # Without dashes an SSN is just nine digits, so only right after "SSN"/"social security".
    Rule(
        "us_ssn",
        _rx(
            r"""(?i)(?P<ctx>\b(?:ssn|social[ ]security(?:[ ]number|[ ]no\.?)?|social))
                (?:[ ]+(?:is|was))?[ ]*[:#]?[ ]*(?P<ssn>\d{3}(?P<sep>[ ]?)\d{2}(?P=sep)\d{4})(?![\w-])"""
        ),
        _check_ssn,
        groups=("ssn",),
        hints=("ssn", "social"),
    ),
    Rule(
        "email",
        _rx(
            r"""(?<![\w.%+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@
                (?P<domain>[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,24})\b"""
        ),
        _check_email,
        hints=("@",),
    ),
    Rule(
        "phone",
        _rx(
            r"""(?<![\w@#$€£.,/+-])
                (?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?
                (?:\d{7,15}|\d{1,6}(?:[ .-]\d{1,6}){1,5})  # separator required: no backtracking blow-up
                (?![\w.-]?\d)"""
        ),
        _check_phone,
    ),
)

# Kind-specific rules beat the catch-all ones when confidences tie.
_PRIORITY = {rule.kind: i for i, rule in enumerate(RULES)}


def _span(rule: Rule, m: re.Match[str]) -> tuple[int, int]:
    return next(m.span(g) for g in rule.groups if m.group(g) is not None)


# --- public API ----------------------------------------------------------------------------


def scan(text: str) -> list[Finding]:
    """All findings in ``text``, sorted by start, non-overlapping (the more confident wins)."""
    lowered = text.lower()
    candidates: list[Finding] = []
    for rule in RULES:
        if rule.hints and not any(h in lowered for h in rule.hints):
            continue
        for m in rule.pattern.finditer(text):
            confidence = rule.validate(m)
            if confidence is None:
                continue
            start, end = _span(rule, m)
            candidates.append(Finding(rule.kind, rule.category, start, end, confidence))
    return _resolve_overlaps(candidates)


def _resolve_overlaps(candidates: Iterable[Finding]) -> list[Finding]:
    chosen: list[Finding] = []
    ranked = sorted(candidates, key=lambda f: (-f.confidence, _PRIORITY[f.kind], -(f.end - f.start)))
    for f in ranked:
        if all(f.end <= c.start or f.start >= c.end for c in chosen):
            chosen.append(f)
    return sorted(chosen, key=lambda f: f.start)


def is_sensitive(findings: Iterable[Finding]) -> bool:
    return any(f.confidence >= SENSITIVE_THRESHOLD for f in findings)


def redact(text: str, findings: Iterable[Finding]) -> str:
    """Replace every finding's span with ``[REDACTED:<kind>]`` (overlaps: the earlier wins)."""
    parts: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if f.start < pos:
            continue
        parts.append(text[pos : f.start])
        parts.append(f"[REDACTED:{f.kind}]")
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


def _count(n: int, singular: str, plural: str) -> str:
    if n == 1:  # "an e-mail address", "an IBAN", but "a US social security number"
        return ("an " if singular[0] in "aeiouAEIO" else "a ") + singular
    return f"{n} {plural}"


def describe(findings: Iterable[Finding]) -> str:
    """A short summary safe to show or log, e.g. "a secret (AWS access key) and an e-mail address".

    Only counts sensitive findings and only ever names kinds, never the matched text.
    """
    sensitive = [f for f in findings if f.confidence >= SENSITIVE_THRESHOLD]
    if not sensitive:
        return "nothing sensitive"
    phrases: list[str] = []
    secrets = [f for f in sensitive if f.category == "secret"]
    if secrets:
        labels = list(dict.fromkeys(KIND_LABELS.get(f.kind, f.kind) for f in secrets))
        phrases.append(f"{_count(len(secrets), 'secret', 'secrets')} ({', '.join(labels)})")
    personal = Counter(f.kind for f in sensitive if f.category == "personal")
    for kind, n in personal.items():
        label = KIND_LABELS.get(kind, kind)
        phrases.append(_count(n, label, label + ("es" if label.endswith("s") else "s")))
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]
