"""Tokens of services nobody wrote a rule for, found by their shape rather than a list of prefixes.

Most services now issue tokens as ``<short lowercase prefix><separator><long random body>``
(``ghp_…``, ``glsa_…``, ``dop_v1_…``, ``figd_…``, ``rnd_…``, ``dp.st.prd.…``) so that scanners can
find them. ``service_tokens`` knows ~50 such prefixes; this rule takes the shape itself: a prefix
of 2-12 lowercase letters/digits (up to three dot-, dash- or underscore-separated parts), then a
body whose longest part is 30+ characters of random-looking letters and digits (20+ after a word
such as "token" or "key": object ids such as Stripe's ``pi_3Mtw…`` are 24-28 characters). What looks like a
token but is not one is rejected by its shape too: a hash named by its algorithm (``sha512-…``), an
id built from short hex groups (``req-<uuid>``), words joined by underscores, dictionary-like or
low-entropy bodies, placeholders (``sk_test_XXXX…``).
"""

from __future__ import annotations

import re

from bot.privacy.common import _is_placeholder, shannon_entropy
from bot.privacy.rule import Rule

# The gate is the separator and a long run after it: "." "-" "_" followed by 20 letters/digits is
# rare in prose and code, where a pattern starting at every lowercase letter would be tried
# everywhere. The prefix is then read backwards from the separator.
_GATE = re.compile(r"[._-](?P<run>[A-Za-z0-9]{20,250})(?![A-Za-z0-9])")
_PREFIX = re.compile(r"(?<![\w.\-/+=@:])[a-z][a-z0-9]{1,11}(?:[._-][a-z0-9]{1,8}){0,2}\Z")
_TAIL = re.compile(r"(?:[_-][A-Za-z0-9]{1,64})*(?![\w+/=-])")
_HASH_PREFIXES = frozenset({"sha1", "sha224", "sha256", "sha384", "sha512", "md5", "blake2b", "blake3", "xxh64"})
_SECRET_WORD = re.compile(r"(?i)token|key|secret|pass|auth|cred|api|pat\b|bearer")
_CAMEL_WORDS = re.compile(r"[A-Z][a-z]{3,}[A-Z][a-z]{2,}|[A-Z][a-z]{2,}[A-Z][a-z]{3,}")
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")


def _random_part(part: str) -> bool:
    if len(part) < 20 or not any(c.isdigit() for c in part) or part.isdigit():
        return False
    if _CAMEL_WORDS.search(part):
        return False  # "SOCKS5UsernamePasswordRequest": words, a class name
    if _HEX.fullmatch(part):
        return len(part) >= 32 and shannon_entropy(part) >= 3.4
    mixed_case = not part.islower() and not part.isupper()
    if mixed_case:
        return shannon_entropy(part) >= 3.8
    return len(part) >= 32 and shannon_entropy(part) >= 4.2  # lowercase + digits: long and very varied


def _check_shape(m: re.Match[str]) -> tuple[float, int, int] | None:
    text, sep = m.string, m.start()
    prefix = _PREFIX.search(text, max(0, sep - 40), sep)
    if prefix is None or re.split(r"[._-]", prefix.group(0), maxsplit=1)[0] in _HASH_PREFIXES:
        return None  # no vendor prefix; or a hash named by its algorithm (subresource integrity)
    run = m.group("run")
    if not _random_part(run) or _is_placeholder(run):
        return None
    if len(run) < 30 and not _SECRET_WORD.search(text, max(0, prefix.start() - 40), prefix.start()):
        return None  # object ids are this short too (Stripe "pi_3Mtw…", "user_2Nx…"): a word must say "token"
    tail = _TAIL.match(text, m.end())
    if tail is None:
        return None  # the token goes on with characters a token of this shape does not have
    return 0.75, prefix.start(), tail.end()


RULES: tuple[Rule, ...] = (Rule("service_token", _GATE, _check_shape, digit=True),)
