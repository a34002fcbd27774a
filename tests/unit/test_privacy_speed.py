"""bot.privacy's speed devices must not change what it finds.

The scanner skips rules whose hint words or digits are absent (``scanner._plan``), tries word rules
only where one pass over the lowercased text found their words (``keywords._word_starts``), tries anchored
patterns only around their anchor (``scanner._anchored``), validates phone candidates last and
not under a stronger finding, and skips normalisation for ASCII. Each test compares against the
plain way: every rule, ``finditer`` over the whole text, every candidate validated.
"""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import RULES, Finding, keywords, personal_rules, scan
from bot.privacy.addresses import _NAME_BEFORE
from bot.privacy.disguise import _PERCENT_RUN, disguised_findings
from bot.privacy.examples import is_known_example
from bot.privacy.lexicon import DOSE
from bot.privacy.rule import WORD_START, trie_pattern
from bot.privacy.rules import Rule, _ci
from bot.privacy.scanner import (
    MAX_BASE64_DEPTH,
    _anchored,
    _decoded_findings,
    _finding,
    _member_matches,
    _resolve_overlaps,
    _scan,
)
from bot.privacy.service_tokens import _FORMATS

# Property checks against the plain scan: tens of seconds in all, so `./dev test -m "not slow"` skips them.
pytestmark = pytest.mark.slow

# Pieces that trigger rules, anchors and validators, to build texts from.
PIECES = [
    "@", "://", "Q~", "1Q~", "key", "KEY=", "token ", "Secret: ", "password is ", "pw: ", "my ", "call ",
    "mobile ", "+1 ", "(415) ", "555-2671", "07700 900123", "+44 20 7123 4567", "4526 0181 5908 3012",
    "GB85 LOYD 4878 2606 8707 09", "536-22-1234", "SSN 536 22 1234", "JG 10 37 59 A", "born on 1/2/1990",
    "I live at 17 Willow Lane", "jane.doe@acme-corp.io", "a@b", "https://u:p4ss@db.internal/x",
    "postgres://", "abc1Q~", "Abcdefghijklmnopqrstuvwxyz012345", "ghp_", "AKIA", "sk-", "eyJ", "QUtJQUFBQUFBQUFBQUFBQUFBQUE=", "Zm9vOmJhcg==", "x", "9",
    " ", "\n", ".", "-", "_", "/", ":", "=", '"', "\u212aey", "\u017fecret", "\u0130", "\u200b", "К",
]  # fmt: skip


def _plain_rules(text: str) -> list[Rule]:
    """RULES with each group replaced by its members; a member runs only where its hint occurs."""
    lowered = text.lower()
    return [
        member
        for rule in RULES
        for member in (rule.members or (rule,))
        if not rule.members or any(h in lowered for h in member.hints)
    ]


def _plain_scan(text: str, depth: int = 0) -> list[Finding]:
    """The scanner without its speed devices (the text is ASCII, so normalisation is a no-op)."""
    candidates = []
    for rule in _plain_rules(text):
        for m in rule.pattern.finditer(text):
            result = rule.validate(m)
            if result is not None:
                candidates.append(_finding(rule, m, result))
    if depth < MAX_BASE64_DEPTH:
        candidates += _decoded_findings(text, depth)
        candidates += disguised_findings(text, text.lower(), depth, _scan)
    return _resolve_overlaps([f for f in candidates if not is_known_example(text[f.start : f.end])])


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_scan_finds_what_the_plain_scan_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    if not text.isascii():
        text = text.encode("ascii", "ignore").decode()
    assert scan(text) == _plain_scan(text)


@pytest.mark.parametrize("rule", [r for r in RULES if r.anchor], ids=lambda r: f"{r.kind}-{r.anchor}")
@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=40))
def test_anchored_matches_are_the_plain_matches(rule, pieces: list[str]) -> None:
    text = "".join(pieces)
    assert [m.span() for m in _anchored(rule, text)] == [m.span() for m in rule.pattern.finditer(text)]


BODY = "Abcdefghijklmnopqrstuvwxyz012345"
ANCHOR_CASES = [
    f"AZURE_CLIENT_SECRET=abc1Q~{BODY} and aQ~1Q~{BODY}x, Q~Q~9Q~{BODY}",
    f"x.y1Q~{BODY}~ {BODY}1Q~ abc1Q~{BODY[:20]}",
    "mail a.b+c@d-e.example.co.uk, @x, a@b@c.io, first@last, " + "z" * 70 + "@long.example.org",
    "see https://u:p@h.io/x, git+ssh://git:t0k3n@github.com/a, ://x, a://b:c@d redis://:pw@cache:6379",
]


@pytest.mark.parametrize("rule", [r for r in RULES if r.anchor], ids=lambda r: f"{r.kind}-{r.anchor}")
@pytest.mark.parametrize("text", ANCHOR_CASES)
def test_anchored_matches_are_the_plain_matches_on_edge_cases(rule, text: str) -> None:
    assert [m.span() for m in _anchored(rule, text)] == [m.span() for m in rule.pattern.finditer(text)]


WORDS = r"key|token|s(?<!\w.)ecret|I(?:'ve|[ ]have)?[ ]+diagnosed|my[ ]+ssn"


@pytest.mark.parametrize(
    "text",
    [
        "KEY token Secret my SSN",
        "\u212aey \u017fecret \u0130've diagnosed \u0131 have diagnosed",  # Kelvin sign, long s, dotted/dotless i
        "monkey tokens asecret I  diagnosed MY   ssn",
        "",
    ],
)
def test_ci_matches_like_a_case_insensitive_pattern(text: str) -> None:
    fast, plain = re.compile(_ci(WORDS), re.X), re.compile(f"(?i)(?:{WORDS})", re.X)
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_phone_under_a_stronger_finding_is_not_validated(monkeypatch: pytest.MonkeyPatch) -> None:

    parsed: list[str] = []
    real = personal_rules._parse_phone.__wrapped__
    monkeypatch.setattr(personal_rules, "_parse_phone", lambda c, region: parsed.append(c) or real(c, region))
    findings = scan("pay it to NL33 INGB 9019 0761 10")
    assert [f.kind for f in findings] == ["iban"]
    assert parsed == []


# Pieces for the prefilters: every hint and context word, parts of them, and what separates words.
_WORD_PIECES = sorted({*keywords._HINTS, *keywords._ALL_WORDS, *(w[:2] for w in keywords._ALL_WORDS)})
_PREFILTER_TEXT = st.lists(st.sampled_from([*_WORD_PIECES, " ", "\n", "_", "-", "x", "9", "é"]), max_size=30)


@settings(max_examples=400, deadline=None, database=None, derandomize=True)
@given(_PREFILTER_TEXT)
def test_present_hints_are_the_hints_in_the_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert keywords._present_hints(text) == {h for h in keywords._HINTS if h in text}


_PLAIN_WORDS = re.compile(WORD_START + "(?:" + trie_pattern(keywords._ALL_WORDS) + ")")


@settings(max_examples=400, deadline=None, database=None, derandomize=True)
@given(_PREFILTER_TEXT)
def test_word_starts_are_where_a_plain_word_scan_finds_words(pieces: list[str]) -> None:
    text = "".join(pieces)
    expected: dict[int, list[int]] = {}
    for m in _PLAIN_WORDS.finditer(text):
        for rule in keywords._WORD_RULES:  # a rule whose word is a prefix of the word found starts there
            if any(m.group().startswith(word) for word in rule.words):
                expected.setdefault(id(rule), []).append(m.start())
    assert keywords._word_starts(text, text) == expected


# The recipient-name pattern as first written; addresses._NAME_BEFORE spells it to start with a class.
_NAME_AS_WRITTEN = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Mme|Dr|Sr|Sra|Herr|Frau)\.?[ ])?[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:[ ][A-ZÀ-Ý][a-zà-ÿ'’-]+){1,2},[ ]*"
)
_NAME_PIECES = ["Mr", "Mrs", "Ms", "Mme", "Dr", "Sr", "Sra", "Herr", "Frau", "Mrx", "Dra", "M", "D", "S", "H", "F"]
_NAME_PIECES += ["Anna", "Kowalski", "é", "É", "x", ".", " ", "  ", ",", "'", "-", "1"]


@settings(max_examples=500, deadline=None, database=None, derandomize=True)
@given(st.lists(st.sampled_from(_NAME_PIECES), max_size=16))
def test_name_before_an_address_matches_as_written(pieces: list[str]) -> None:
    text = "".join(pieces)
    spans = [(m.span(), m.group()) for m in _NAME_BEFORE.finditer(text)]
    assert spans == [(m.span(), m.group()) for m in _NAME_AS_WRITTEN.finditer(text)]


_DOSE_AS_WRITTEN = re.compile(r"(?<![\d.,])\d{1,5}(?:[.,]\d{1,3})?[ ]?(?:mg|mcg|µg|μg|ml|MG)\b")


@settings(max_examples=500, deadline=None, database=None, derandomize=True)
@given(
    st.lists(
        st.sampled_from(["1", "12", "123456", "٣", ".", ",", " ", "mg", "mcg", "µg", "ml", "MG", "x"]), max_size=14
    )
)
def test_dose_matches_as_written(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert [m.span() for m in re.finditer(DOSE, text)] == [m.span() for m in _DOSE_AS_WRITTEN.finditer(text)]


_PHONE_REGIONS = ("US", *personal_rules.NATIONAL_PHONE_REGIONS, *personal_rules._NO_TRUNK_REGIONS)


@settings(max_examples=600, deadline=None, database=None, derandomize=True)
@given(
    st.sampled_from(["", "+", "+1 ", "+44 ", "+49 ", "+33 ", "+61 ", "+39 ", "+800 ", "0", "00", "011 ", "(0"]),
    st.lists(st.sampled_from(["0", "1", "2", "3", "4", "5", "6", "7", "9", "55", "01", " ", "-", ")"]), max_size=16),
    st.sampled_from(_PHONE_REGIONS),
)
def test_a_phone_number_type_is_unknown_exactly_when_it_is_not_valid(prefix: str, rest: list[str], region: str) -> None:
    # _parse_phone reads validity from number_type() alone, to save a second match against the patterns.
    try:
        number = phonenumbers.parse(prefix + "".join(rest), region)
    except phonenumbers.NumberParseException:
        return
    unknown = phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.UNKNOWN
    assert phonenumbers.is_valid_number(number) is not unknown


def test_example_numbers_of_every_type_are_valid_and_typed() -> None:
    checked = 0
    for region in _PHONE_REGIONS:
        for kind in range(12):  # every PhoneNumberType but UNKNOWN
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            for candidate in (number, phonenumbers.parse(str(number.national_number)[:-1], region)):
                unknown = phonenumbers.number_type(candidate) == phonenumbers.PhoneNumberType.UNKNOWN
                assert phonenumbers.is_valid_number(candidate) is not unknown
                checked += 1
    assert checked > 100


_NOT_PHONE_AS_WRITTEN = re.compile(
    r"(?i)\b(?:"
    + personal_rules._NOT_PHONE_WORDS
    + r")"
    + r"(?:\s*(?:number|num|no\.?|nr\.?|n°|id|#))?\s*(?:is|was|[#:=])?\s*$"
)
_PHONE_WORDS_AS_WRITTEN = re.compile(r"\b(?:" + trie_pattern(personal_rules._PHONE_WORDS) + r")(?![a-zà-ÿ])")
_CONTEXT_PIECES = [*personal_rules._NOT_PHONE_WORDS.split("|"), *personal_rules._PHONE_WORDS]
_CONTEXT_PIECES += [
    "ORDER",
    "İd",
    "ſku",
    "\u212aundennummer",
    " ",
    "\n",
    "number",
    "no.",
    "n°",
    "#",
    ":",
    "is",
    "x",
    "é",
    "_",
    "1",
]


@settings(max_examples=600, deadline=None, database=None, derandomize=True)
@given(st.lists(st.sampled_from(_CONTEXT_PIECES), max_size=6))
def test_phone_context_patterns_find_what_they_find_as_written(pieces: list[str]) -> None:
    before = "".join(pieces)
    assert bool(personal_rules._NOT_PHONE_CONTEXT.search(before)) == bool(_NOT_PHONE_AS_WRITTEN.search(before))
    lowered = before.lower()
    assert bool(personal_rules._PHONE_CONTEXT.search(lowered)) == bool(_PHONE_WORDS_AS_WRITTEN.search(lowered))


# Pieces for the service-token group: each format's start (hints in both cases, and the spellings a
# hint does not cover), bodies of hex and alphanumerics, and what may sit between.
_TOKEN_PIECES = [
    *(h for h, _ in _FORMATS), *(h.upper() for h, _ in _FORMATS), "hvb.", "hvr.", "doo_v1_", "shpat_", "sk.eyJ",
    "dp.st.", "sntrys_", "sq0atp-", "EAAB", "lsv2_pt_", "tskey-auth-", "pscale_tkn_", "1//0", "AGE-SECRET-KEY-1",
    "0123456789abcdef", "01234567", "AbCdEfGhIj", "KlMnOpQrStUvWxYz0123456789", "-", "_", ".", " ", "x", "=",
]  # fmt: skip


def _token(pattern: str) -> st.SearchStrategy[str]:
    """Whole tokens of one format (the word-start look-behind dropped: the text around decides it)."""
    return st.from_regex(re.compile(pattern.replace("(?<!\\w.)", ""), re.VERBOSE), fullmatch=True)


def _assert_group_matches_each_format(text: str) -> None:
    group = next(rule for rule in RULES if rule.members)
    lowered = text.lower()
    plain = [
        (member, [m.span() for m in member.pattern.finditer(text)])
        for member in group.members
        if any(h in lowered for h in member.hints)
    ]
    expected = [(member, spans) for member, spans in plain if spans]
    got = [(member, [m.span() for m in matches]) for member, matches in _member_matches(group, text, lowered)]
    assert got == expected


@settings(max_examples=500, deadline=None, database=None, derandomize=True)
@given(st.lists(st.sampled_from(_TOKEN_PIECES) | st.one_of(*(_token(p) for _, p in _FORMATS)), max_size=12))
def test_service_token_group_matches_what_each_format_finds_alone(pieces: list[str]) -> None:
    _assert_group_matches_each_format("".join(pieces))


@pytest.mark.parametrize("pattern", [p for _, p in _FORMATS], ids=[h for h, _ in _FORMATS])
@settings(max_examples=10, deadline=None, database=None, derandomize=True)
@given(data=st.data())
def test_service_token_group_finds_each_format(pattern: str, data: st.DataObject) -> None:
    around = st.sampled_from(["", " ", "x", "-", "_", ".", "=", "/", ":"])
    _assert_group_matches_each_format(data.draw(around) + data.draw(_token(pattern)) + data.draw(around))


@settings(max_examples=1000, deadline=None, database=None, derandomize=True)
@given(st.text(alphabet="%41aFgz \n/", max_size=60))
def test_percent_runs_are_the_runs_of_the_plain_pattern(text: str) -> None:
    plain = re.compile(r"[^\s%]*(?:%[0-9A-Fa-f]{2}[^\s%]*)+")
    assert [m.span() for m in _PERCENT_RUN.finditer(text)] == [m.span() for m in plain.finditer(text)]
