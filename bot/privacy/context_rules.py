"""Multilingual rules that need a context word: passwords and keys in prose, dates of birth,
first-person health and money details.

Each rule's regex finds the context word (cheap: a literal start or a trie); its validator looks
at the rest of the line or sentence for the value and returns where it is.
"""

from __future__ import annotations

import re

from bot.privacy.birth_rules import _check_dob
from bot.privacy.common import _high_entropy, _is_placeholder
from bot.privacy.examples import is_known_example
from bot.privacy.lexicon import (
    AMOUNT,
    DOB_LABELS,
    DOSE,
    FIRST_PERSON,
    GERMAN_MY,
    HEALTH_TERMS,
    LOGIN_LABELS,
    MONEY_TERMS,
    PASSWORD_LABELS,
    PIN_LABELS,
    SECRET_LABELS,
)
from bot.privacy.person import implied_speaker, specific_person
from bot.privacy.rule import UNSPACED, UNSPACED_CHAR, Rule, label_rule, trie_pattern

# A value ends at a space, and in unspaced scripts at the first of their characters or full-width
# punctuation ("密码是Abc!23，别发" holds the value "Abc!23").
_TOKEN = re.compile(rf"[^\s{UNSPACED}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+")
_EDGE_PUNCT = "\"'`«»“”„‚‘’()[]{}<>,;"
_SYMBOLS = frozenset("!#$%&*?@^+~")
_TECH_WORDS = frozenset(
    [
        "sha1",
        "sha256",
        "sha512",
        "md5",
        "utf8",
        "utf-8",
        "aes128",
        "aes256",
        "2fa",
        "mfa",
        "1password",
        "ipv4",
        "ipv6",
        "oauth2",
        "http2",
        "base64",
        "wpa2",
        "wpa3",
        "wpa2-psk",
        "e2e",
        "bcrypt",
        "argon2",
        "pbkdf2",
        "scrypt",
    ]
)
_UNIT = re.compile(r"\d+(?:[.,]\d+)?(?:[a-zäöüéè]{1,10}|%)|[a-z]+-?\d{1,3}(?:\.\d+)*|v\d[\w.]*")
_VARIABLE = re.compile(r"\$\{?[A-Za-z_]\w*\}?|%\w+%|%[sdifr]|\$\d")
_WORD_DIGITS = re.compile(r"([A-ZÀ-Ý][a-zà-ÿ]{2,})\d{2,}")
_PRODUCT_NAMES = frozenset(
    [
        "python",
        "java",
        "node",
        "ubuntu",
        "debian",
        "windows",
        "ios",
        "android",
        "iphone",
        "pixel",
        "galaxy",
        "macos",
        "fedora",
        "centos",
        "rhel",
        "php",
        "ruby",
        "perl",
        "postgres",
        "postgresql",
        "mysql",
        "redis",
        "mongo",
        "kafka",
        "spark",
        "office",
        "excel",
        "photoshop",
        "xbox",
        "playstation",
        "ps",
        "firefox",
        "chrome",
        "safari",
        "edge",
        "version",
        "release",
        "build",
        "sprint",
    ]
)


def _word_digits(value: str) -> bool:
    """A capitalised word with digits ("Hiver481"), not a product and version ("Python311")."""
    m = _WORD_DIGITS.fullmatch(value)
    return m is not None and m.group(1).lower() not in _PRODUCT_NAMES


_EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _line_after(m: re.Match[str], limit: int = 90) -> tuple[str, int]:
    text, end = m.string, m.end()
    stop = text.find("\n", end, end + limit)
    return text[end : stop if stop >= 0 else end + limit], end


def _starts_word(m: re.Match[str]) -> bool:
    return not m.string[m.start() - 1 : m.start()].isalpha()


def _clean(token: str) -> tuple[str, int]:
    """The token without surrounding quotes/brackets and a final comma; and how much was cut on the left."""
    left = len(token) - len(token.lstrip(_EDGE_PUNCT))
    core = token.strip(_EDGE_PUNCT)
    if core.endswith((".", ":")) and len(core) > 1 and not core[:-1].endswith((".", ":")):
        core = core[:-1]
    return core, left


def looks_like_password(value: str) -> bool:
    """A token nobody writes in prose: letters mixed with digits, or symbols with mixed case, or random case."""
    if not 6 <= len(value) <= 64 or value.isalpha() and value.islower() or value.lower() in _TECH_WORDS:
        return False
    if _is_placeholder(value):
        return False
    if "://" in value or _EMAIL_LIKE.fullmatch(value) or _UNIT.fullmatch(value.lower()) and not _word_digits(value):
        return False  # "python3", "h264"; but a capitalised word with digits is the commonest password ("Hiver481")
    if any(c in "(){}[]<>" for c in value) or value.startswith(("/", "./", "~/")) or _VARIABLE.fullmatch(value):
        return False  # code, a variable, a path; but "$M!2VGcvds" and "%gl339ikRvU" are passwords
    letters = sum(c.isalpha() for c in value)
    if not letters or letters == len(value) and value.islower():
        return False
    mixed_case = not value.islower() and not value.isupper()
    if any(c.isdigit() for c in value):
        return True
    if any(c in _SYMBOLS for c in value):
        return mixed_case or len(value) >= 10  # "L$atfp!Y&LiK"; not "type=password"
    flips = sum(
        a.islower() != b.islower() for a, b in zip(value, value[1:], strict=False) if a.isalpha() and b.isalpha()
    )
    return len(value) >= 8 and flips >= 4  # "eqvQAMyAnxcq", not "StateCredentials"


def _first_strong(m: re.Match[str], accept, max_tokens: int = 8):
    """The span of the first token after the context word that ``accept`` takes, before the sentence ends."""
    window, offset = _line_after(m)
    for i, t in enumerate(_TOKEN.finditer(window)):
        if i >= max_tokens:
            break
        raw = t.group(0)
        core, left = _clean(raw)
        value = core.rstrip("?!.,;:")  # judged without sentence punctuation; a final "!" is kept
        if value and accept(value) and not _is_placeholder(raw):
            start = offset + t.start() + left
            return start, start + len(core.rstrip("?.,;:"))
        if raw.endswith(("?", "!")) or (raw.endswith(".") and len(core) > 1 and core.isalpha()):
            break  # the sentence ended
    return None


_LABEL_FOLLOWERS = frozenset(" \t:=\"'-–—>)]}|")


def _label_alone(m: re.Match[str]) -> bool:
    """The word starts and ends a word and is not part of a URL or an e-mail (``user:password@host``)."""
    text = m.string
    before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
    if UNSPACED_CHAR.match(text, m.start()):  # no spaces around words there: particles follow ("は", "是")
        return before not in (":", "/")
    return not before.isalpha() and before not in (":", "/") and (after == "" or after in _LABEL_FOLLOWERS)


# --- passwords in prose, in every supported language ------------------------------------------


def _check_password_prose(m: re.Match[str]) -> tuple[float, int, int] | None:
    if not _label_alone(m):
        return None  # "bypass", "Passworte", "passer", "postgres://user:password@host"
    found = _first_strong(m, looks_like_password)
    return None if found is None else (0.85, *found)


_PIN_VALUE = re.compile(
    r"""(?ix)[ \t]*(?:(?:is|ist|est|es|é|è|hai|lautet|c'est|c’est|=|:|-|–|for[ ]the[ ]\w+[ ]is|du[ ]\w+[ ]est)[ \t]*){0,2}
    ["'`]?(\d{4,8}[a-d\#*]?)["'`]?(?![\w.,:/-]\w|\w)"""
)


def _check_pin(m: re.Match[str]) -> tuple[float, int, int] | None:
    """ "PIN 4821", "UPI pin 1275 hai", "the PIN for the door is 1004#": a short all-digit secret."""
    if not _label_alone(m) and not m.string[m.end() : m.end() + 4].startswith((" for", " du ")):
        return None
    v = _PIN_VALUE.match(m.string, m.end())
    digits = v.group(1).rstrip("#*abcdABCD") if v is not None else ""
    if v is None or len(set(digits)) < 2 or digits in "0123456789" or digits in "9876543210":
        return None  # "pin 0000", "pinned", a version
    if len(v.group(1)) == 6 and m.group(0).lower().replace("-", " ").startswith(("pin code", "pincode")):
        return None  # an Indian postal PIN code ("pincode 560001"), not a secret
    return 0.8, v.start(1), v.end(1)


_PAIR_SEPARATOR = re.compile(r"\s/\s|\s(?:e|and|und|y|et|en|und|aur)\s|,\s", re.IGNORECASE)


def _check_login_pair(m: re.Match[str]) -> tuple[float, int, int] | None:
    if not _label_alone(m):
        return None
    pair = _first_strong(m, _user_colon_password, max_tokens=6)
    if pair is not None:  # "creds → admin:GhHMOIqk15@!i9"
        return 0.8, *pair
    found = _first_strong(m, looks_like_password, max_tokens=6)
    if found is None or not _PAIR_SEPARATOR.search(m.string, m.end(), found[0]):
        return None  # a user name with a digit, not a "user / password" pair
    return 0.8, *found


_USER_COLON = re.compile(r"[\w.@-]{2,40}:(.+)")


def _user_colon_password(value: str) -> bool:
    pair = _USER_COLON.fullmatch(value)
    return pair is not None and "/" not in pair.group(1)[:2] and looks_like_password(pair.group(1))


# --- keys and tokens named in prose, in every supported language ------------------------------

_HASH_WORDS = re.compile(r"(?i)\b(?:sha\d*|md5|hash|digest|commit|checksum|fingerprint|sum)\b")
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/=.~]+")


def _secret_value(value: str) -> bool:
    if len(value) < 16 or not _TOKEN_CHARS.fullmatch(value):
        return False  # cheap checks first: most tokens after "token" or "key" are words
    return not _is_placeholder(value) and not is_known_example(value) and _high_entropy(value) is not None


def _check_secret_prose(m: re.Match[str]) -> tuple[float, int, int] | None:
    if not _label_alone(m):
        return None
    found = _first_strong(m, _secret_value, max_tokens=10)  # "clé secrète AWS du compte de test : …"
    if found is None or _HASH_WORDS.search(m.string, max(0, m.start() - 40), found[0]):
        return None
    whole = _TOKEN.match(m.string, found[0])  # the value may run past the line window
    if whole is not None and is_known_example(whole.group(0).strip(_EDGE_PUNCT)):
        return None
    return 0.8, *found


# --- first-person health and money ------------------------------------------------------------

_FIRST_PERSON = re.compile(r"(?i:(?<![\w'])(?:" + trie_pattern(FIRST_PERSON) + r")(?![\w]))|" + GERMAN_MY)
_DOSE = re.compile(DOSE)
_AMOUNT = re.compile(AMOUNT, re.IGNORECASE)


_PAY_AMOUNT = re.compile(r"(?i)\d[ ]?k\b|\d{4,}|\d{1,3}[.,  ]\d{3}|lakh|lpa|crore")
_SCORE = re.compile(r"(?<![\d.,])\d{3}(?![\d.,]\d)")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")


def _sentence(m: re.Match[str], reach: int = 120) -> tuple[int, int]:
    """The sentence around the match (a "." ends one only before a space: not in "4.200")."""
    text, start = m.string, max(0, m.start() - reach)
    for end_before in _SENTENCE_END.finditer(text, start, m.start()):
        start = end_before.end()
    end_after = _SENTENCE_END.search(text, m.end(), m.end() + reach)
    return start, end_after.start() if end_after else min(len(text), m.end() + reach)


def _first_person_sentence(m: re.Match[str], fragments: bool = True) -> tuple[int, int] | None:
    """The sentence around ``m`` if it is about the speaker or a specific person (``person``)."""
    if not _starts_word(m):
        return None
    start, end = _sentence(m)
    text = m.string
    if _FIRST_PERSON.search(text, start, end) or specific_person(text, start, end, m.start()):
        return start, end
    if fragments and implied_speaker(text, start, m.start(), m.end()):
        return start, end
    return None


def _check_health(m: re.Match[str]) -> tuple[float, int, int] | None:
    rest = _WORD_REST.match(m.string, m.end())  # matches the empty string: never None
    if rest is not None and m.string.startswith(("...", "…"), rest.end()):
        return None  # "I was diagnosed... no wait": a sentence broken off
    span = _first_person_sentence(m)
    return None if span is None else (0.7, *span)  # below the English rule's exact value span


_WORD_REST = re.compile(r"\w*")


def _check_dose(m: re.Match[str]) -> tuple[float, int, int] | None:
    span = _first_person_sentence(m)
    return None if span is None else (0.7, *span)


def _check_money(m: re.Match[str]) -> tuple[float, int, int] | None:
    span = _first_person_sentence(m, fragments=False)  # "Salary: 60-70k" heads a job advert
    if span is None:
        return None
    if m.group(0).lower().startswith("credit"):  # a credit score is a bare number: 300-900
        score = next((n for n in _SCORE.finditer(m.string, *span) if 300 <= int(n.group(0)) <= 900), None)
        return None if score is None else (0.75, *score.span())
    if not _AMOUNT.search(m.string, *span):
        return None
    if m.group(0).lower().endswith("make") and not _PAY_AMOUNT.search(m.string, *span):
        return None  # "I make $5 a cup": a pay figure is thousands ("$98k", "4.200 €", "60,000")
    return 0.75, *span


RULES: tuple[Rule, ...] = (
    label_rule("password", PASSWORD_LABELS, _check_password_prose),
    label_rule("password", LOGIN_LABELS, _check_login_pair),
    label_rule("password", PIN_LABELS, _check_pin, digit=True),
    label_rule("generic_secret", SECRET_LABELS, _check_secret_prose),
    label_rule("date_of_birth", DOB_LABELS, _check_dob, digit=True),
    label_rule("health", HEALTH_TERMS, _check_health),
    Rule("health", _DOSE, _check_dose, digit=True, hints=("mg", "mcg", "µg", "μg", "ml")),
    label_rule("financial", MONEY_TERMS, _check_money, digit=True),
)
