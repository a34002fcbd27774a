"""Validators for secrets: credentials by format, passwords in prose, code and config, assignments."""

from __future__ import annotations

import base64
import binascii
import json
import re

from bot.privacy.common import _EXAMPLE_DOMAIN, _high_entropy, _is_placeholder, _looks_random, _words, shannon_entropy
from bot.privacy.context_rules import looks_like_password
from bot.privacy.examples import is_known_example


def _check_aws_secret(m: re.Match[str]) -> float | None:
    value = m.group("value")
    return 0.95 if not _is_placeholder(value) and shannon_entropy(value) >= 3.5 else None


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


def _check_private_key(m: re.Match[str]) -> float | None:
    # Drop armor headers like "Proc-Type: 4,ENCRYPTED", count base64 payload.
    body = m.group("body").replace("\\n", "\n")  # a key inside JSON has escaped newlines
    payload = [ln for ln in body.splitlines() if ":" not in ln]
    return 0.99 if len(_NOT_BASE64.sub("", "".join(payload))) >= 40 else None


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


_LOWERCASE_WORDS = re.compile(r"[a-z]+(?:-[a-z]+)*")
_ADJECTIVE_ENDING = re.compile(r"(?:ed|ing|ly|ble|ive|ful|less|ous)$")


def _check_password_value(value: str, quoted: bool) -> float | None:
    if len(value) < 4 or _is_placeholder(value):
        return None
    if value.isalpha() and "pass" in value.lower():
        return None  # a label such as "challengePassword", not the password itself
    if " " in value:  # a passphrase, or (far more often) a sentence in a string literal
        words = value.split()
        return 0.7 if len(words) <= 5 and not _PROSE_WORDS.intersection(w.lower() for w in words) else None
    if _LOWERCASE_WORDS.fullmatch(value):  # a plain lowercase word: prose or weak pw?
        if value in _PROSE_WORDS or _ADJECTIVE_ENDING.search(value):
            return 0.8 if quoted else None
        return 0.7
    return 0.9


def _check_prose_password(m: re.Match[str]) -> float | None:
    if m.string[m.start() - 1 : m.start()].isalnum():
        return None  # "bypass is …", "compass was …"
    value = m.group("value")
    if value.rstrip("!?").isalpha():
        value = value.rstrip("!?")  # "my password is great!": the word, not a symbol, is judged
    return _check_password_value(value, quoted=m.group("quote") is not None)


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


# A dotted value with a long random segment is a token ("dp.st.prd.N6y2r8Xtjeq…"), not a module path.
_RANDOM_SEGMENT = re.compile(
    r"(?:^|\.)(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]{24,}$"
)
_SPHINX_FIELD = re.compile(r":(?:param|type|arg|ivar|var|raises?)\s+$")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


# Framework secret keys (Django's SECRET_KEY, Rails' secret_key_base) may use any printable character.
_FRAMEWORK_KEY_CHARS = re.compile(r"[!#-&(-~]{30,}")


def _assigned_value(m: re.Match[str]) -> tuple[set[str], str, bool] | None:
    """(name parts, value, quoted) of a ``name = value`` match, or None if it is not a literal."""
    # The regex starts at the keyword (fast); the rest of the name lies before it.
    quoted = m.group("q") is not None
    value = m.group("q") if quoted else m.group("bare")
    spaced = m.group("space") is not None
    if spaced and (value.isalpha() and value.islower() or m.string[m.start() - 1 : m.start()] not in _NAME_CHARS):
        return None  # "key points", "token economy"; only CLI flags take a space: "--token v"
    start = m.start()
    while start > 0 and m.string[start - 1] in _NAME_CHARS:
        start -= 1
    name = m.string[start : m.end("tail")]
    if spaced and not name.startswith("--"):
        return None
    before = m.string[max(0, start - 12) : start]
    if _SPHINX_FIELD.search(before):
        return None  # sphinx field list: ":param password: the password to use"
    if (
        m.group("op") == ":"
        and before[-1:] in ("'", '"')
        and m.string[m.end() : m.end() + 1] == before[-1]
        and _IDENTIFIER.fullmatch(value)
    ):
        return None  # one string literal, "passwd:name", not an assignment
    parts = {p.lower() for p in _NAME_SPLIT.split(name) if p}
    if parts & _METADATA_PARTS:
        return None
    if (
        _CODE_REFERENCE.search(value)
        and not (quoted and _FRAMEWORK_KEY_CHARS.fullmatch(value) and " " not in value)
        and not _RANDOM_SEGMENT.search(value)
    ):
        return None  # a call or a variable; but a long quoted key may contain "(" and "$"
    if not quoted and _is_code_identifier(value, m.group("op") or "", m.string[m.end() : m.end() + 40]):
        return None
    return parts, value, quoted


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_CAMEL_CASE = re.compile(r"(?:[A-Z][a-z]+){2,}")
_SNAKE_WORD = re.compile(r"[a-z_]+")
_TYPE_NAMES = _words("bool bytes str int float dict list tuple set any object optional callable secretstr")


def _is_code_identifier(value: str, op: str, after: str) -> bool:
    """Is an unquoted right-hand side a variable or type rather than a literal credential?

    ``password: bytes``, ``creds: StateCredentials = None``, ``f(token=token)``,
    ``password = user_input`` and numpydoc's ``pw : str`` are code. An .env line
    (``PASSWORD=sunshine``) or YAML (``password: sunshine``) is still a literal.
    """
    if not _IDENTIFIER.fullmatch(value):
        return False  # digits-and-symbols soup: a literal
    if value.lower() in _TYPE_NAMES or _CAMEL_CASE.fullmatch(value):
        return True
    if after.lstrip(" \t")[:1] in (",", ")", "}", "=", "|", "["):
        return True  # an argument, a dict entry built from a variable, "name: Type = default"
    return bool(_SNAKE_WORD.fullmatch(value)) and (op.startswith((" ", "\t")) or "=" in op and " " in op)


def _assigned_literal(m: re.Match[str]) -> str:
    """The value of a ``name = value`` match as ``_assigned_value`` reports it (cheap pre-check)."""
    quoted = m.group("q")
    return quoted if quoted is not None else m.group("bare")


def _check_password_assignment(m: re.Match[str]) -> float | None:
    if len(_assigned_literal(m)) < 4:
        return None  # _check_password_value rejects it anyway; skip the costlier checks
    assigned = _assigned_value(m)
    if assigned is None:
        return None
    if not assigned[0] & _PASSWORD_PARTS:
        # "DB_PASS=…", "smtp_pass: …": "pass" alone also names test results ("pass: true"), so the
        # value must look like a password, not a word
        return 0.85 if "pass" in assigned[0] and looks_like_password(assigned[1]) else None
    return _check_password_value(assigned[1], assigned[2])


_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/=.~]+")


def _key_chars(value: str, quoted: bool) -> bool:
    """Keys and tokens are URL-safe or base64 (no spaces, ":", ",", "#", "$"), except long quoted ones."""
    return bool(_TOKEN_CHARS.fullmatch(value) or (quoted and _FRAMEWORK_KEY_CHARS.fullmatch(value)))


# A namespaced id ("user:<uuid>", a cache key) is not a secret; a bare uuid may be (Heroku keys).
_NAMESPACED_UUID = re.compile(r"[\w.-]+:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


# The rest of a URL query after a value: "?token=v&user=1" assigns "v".
_QUERY_REST = re.compile(r"&[\w.\[\]-]+=.*$")


def _check_secret_assignment(m: re.Match[str]) -> float | None:
    value = _QUERY_REST.sub("", _assigned_literal(m).removeprefix("base64:"))  # Laravel's APP_KEY=base64:…
    quoted = m.group("q") is not None
    if len(value) < 16 or not _key_chars(value, quoted):
        return None  # rejected below anyway (_high_entropy needs 16+); most matches end here, cheaply
    assigned = _assigned_value(m)
    if assigned is None or not assigned[0] & _SECRET_PARTS:
        return None
    value = _QUERY_REST.sub("", assigned[1].removeprefix("base64:"))
    if not _key_chars(value, quoted) or _is_placeholder(value) or _NAMESPACED_UUID.fullmatch(value):
        return None
    return _high_entropy(value)


_GIT_SHA_OR_DIGEST = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _check_prose_secret(m: re.Match[str]) -> float | None:
    value = m.group("value")
    if m.string[m.start() - 1 : m.start()] in _NAME_CHARS or _is_placeholder(value) or is_known_example(value):
        return None  # "monkey …", "idempotency_key: …": the keyword must start a name
    if _GIT_SHA_OR_DIGEST.fullmatch(value):
        return None  # git SHA / sha256 digest: "the commit key 9fceb02…" is not a secret
    confidence = _high_entropy(value)
    return None if confidence is None else confidence - 0.05  # weaker evidence than name = value


def _check_login_pair(m: re.Match[str]) -> float | None:
    value = m.group("value")
    if m.group("user").lower() in _PROSE_WORDS or value.lower() in ("password", "pass", "pw", "pwd"):
        return None  # "login is the same / ...", "username / password"
    if value.isalpha() and value.islower():
        return None  # "login page / settings": a lowercase word here is more often a path than a password
    return _check_password_value(value, quoted=False)
