"""Scanning: normalise, run the rules, look inside base64, resolve overlaps; redact and describe findings."""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace

from bot.privacy.common import KIND_LABELS, SENSITIVE_THRESHOLD, Finding, shannon_entropy
from bot.privacy.disguise import disguised_findings
from bot.privacy.examples import is_known_example
from bot.privacy.keywords import _WORD_RULES, _at_words, _present_hints, _word_starts
from bot.privacy.normalise import normalise
from bot.privacy.personal_rules import PHONE_MAX_CONFIDENCE, _parse_phone, _phone_verdict
from bot.privacy.rules import _PRIORITY, RULES, Rule, _span
from bot.privacy.shape_gate import open_gates

MAX_BASE64_DEPTH = 2  # base64 inside base64 is looked into; a third level is not

# --- base64-wrapped secrets ----------------------------------------------------------------

_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{24,16384}={0,2}(?![A-Za-z0-9+/=_-])")


def _decoded_findings(text: str, depth: int) -> list[Finding]:
    """Secrets inside base64 runs (Kubernetes secrets, "echo ... | base64", Basic auth), reported over the run."""
    found: list[Finding] = []
    if len(text) < 24:
        return found  # shorter than the shortest run
    for m in _BASE64_RUN.finditer(text):
        inner = _decoded_finding(m.group(0), depth)
        if inner is not None:
            found.append(Finding(inner.kind, inner.category, m.start(), m.end(), inner.confidence))
    return found


@functools.lru_cache(maxsize=1024)  # pure; a paste that repeats one blob decodes it once
def _decoded_finding(run: str, depth: int) -> Finding | None:
    if len(run) % 4 or not (any(c.isdigit() for c in run) or "=" in run or "+" in run or "/" in run):
        return None  # base64 of text has digits, padding or +/ almost always; long identifiers do not
    try:
        decoded = base64.b64decode(run, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if sum(c.isprintable() or c in "\n\r\t" for c in decoded) < len(decoded):
        return None  # binary: a PEM body, an image, a hash
    inner = [f for f in _scan(decoded, depth + 1) if f.confidence >= SENSITIVE_THRESHOLD]
    return max(inner, key=lambda f: f.confidence) if inner else None


def _may_hold_base64(text: str, has_digit: bool, gates: frozenset[str]) -> bool:
    """Cheap necessary test for a run ``_decoded_finding`` looks into: with a digit in the text, a
    run of 24 base64 characters opens the ``token_run`` gate (20 of them in a row); without one, a
    run needs "=", "+" or "/" (tested in tests/unit/test_privacy_gates.py)."""
    return "token_run" in gates if has_digit else ("=" in text or "+" in text or "/" in text)


def clear_caches() -> None:
    """Forget memoised validations (benchmarks call this so repeated runs are not flattered)."""
    _parse_phone.cache_clear()
    _phone_verdict.cache_clear()
    _decoded_finding.cache_clear()
    shannon_entropy.cache_clear()


# --- public API ----------------------------------------------------------------------------


def scan(text: str) -> list[Finding]:
    """All findings in ``text``, sorted by start, non-overlapping (the more confident wins).

    Zero-width characters and look-alike letters are normalised away first (``bot.privacy.normalise``);
    spans always refer to ``text`` as given. Base64 runs that decode to text are scanned too.
    """
    if text.isascii():  # nothing to normalise (the common case)
        return _scan(text, 0)
    norm = normalise(text)
    findings = _scan(norm.text, 0)
    if not norm.changed_length:
        return findings
    return [replace(f, start=s, end=e) for f in findings for s, e in [norm.original_span(f.start, f.end)]]


SPLIT_REACH = 200  # characters of the previous message joined to this one
# A join may pair words that were never meant together ("my password is" / "thanks"): only strong
# findings count there.
SPLIT_MIN_CONFIDENCE = 0.75


def scan_with_previous(text: str, previous: str | None) -> list[Finding]:
    """``scan(text)``, plus what only shows with the same person's previous message in front of it:
    a token pasted in two halves, or "my password is" in one message and the password in the next.

    The tail of ``previous`` is joined to the head of ``text`` (directly and with a space); a
    finding that reaches into ``text`` and was not found in it alone is reported on its part in ``text``.
    """
    own = scan(text)
    if not previous:
        return own
    tail, head = previous[-SPLIT_REACH:], text[:SPLIT_REACH]
    # A finding complete in the previous message may seem to grow into this one when the two are
    # glued ("…@acme.io" + "Compare …" reads as "acme.ioCompare"): that is not a split secret.
    before = [f for f in scan(tail) if f.confidence >= SENSITIVE_THRESHOLD]
    extra: list[Finding] = []
    for joiner in ("", " "):
        offset = len(tail) + len(joiner)
        for f in scan(tail + joiner + head):
            if any(b.start < f.end and f.start < b.end for b in before):
                continue
            if f.end > offset and f.confidence >= SPLIT_MIN_CONFIDENCE:
                start, end = max(f.start - offset, 0), min(f.end - offset, len(text))
                extra.append(Finding(f.kind, f.category, start, end, f.confidence))
    return _resolve_overlaps(own + extra)


# --- which rules can match: one pass over the hints instead of one per rule -------------------

_DIGIT = re.compile(r"\d")
_NO_GATES: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=4096)  # few distinct combinations occur; pure
def _plan(present: frozenset[str], has_digit: bool, gates: frozenset[str]) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """The rules that can match text holding these hints and passing these shape gates
    (``shape_gate``): (phone rules, the others)."""
    rules = [
        rule
        for rule in RULES
        if (not rule.hints or not present.isdisjoint(rule.hints))
        and (has_digit or not rule.digit)
        and (not rule.gate or rule.gate in gates)
    ]
    return tuple(r for r in rules if r.kind == "phone"), tuple(r for r in rules if r.kind != "phone")


def _matches(rule: Rule, text: str) -> Iterator[re.Match[str]]:
    # Each anchor costs a few Python calls: where they are dense ("a@a@a@…") the plain scan is cheaper.
    if rule.anchor and text.count(rule.anchor) * 64 < len(text):
        return _anchored(rule, text)
    return rule.pattern.finditer(text)


def _anchored(rule: Rule, text: str) -> Iterator[re.Match[str]]:
    """``rule.pattern.finditer(text)``, trying only the places the anchor allows (see ``Rule``).

    Every match holds the anchor ``offset[0]..offset[1]`` (or at most ``reach``) characters after
    its start, so none starts elsewhere. Anchors are visited left to right and the starts for each
    in ascending order, which yields the same non-overlapping, leftmost-first matches as finditer
    (tested in tests/unit/test_privacy_speed.py). With ``reach`` the search stops at the next
    anchor, which the match cannot contain."""
    anchor, pattern, pos = rule.anchor, rule.pattern, 0
    i = text.find(anchor)
    while i >= 0:
        m = None
        if rule.offset is not None:
            nearest, furthest = rule.offset
            for start in range(max(pos, i - furthest), i - nearest + 1):
                m = pattern.match(text, start)
                if m is not None:
                    break
        else:
            following = text.find(anchor, i + 1)
            m = pattern.search(text, max(pos, i - rule.reach), following if following >= 0 else len(text))
        if m is None:
            i = text.find(anchor, i + 1)
            continue
        yield m
        pos = m.end()
        i = text.find(anchor, max(i + 1, pos))


def _finding(rule: Rule, m: re.Match[str], result: float | tuple[float, int, int]) -> Finding:
    if isinstance(result, tuple):  # the validator located the value itself
        return Finding(rule.kind, rule.category, result[1], result[2], result[0])
    start, end = _span(rule, m)
    return Finding(rule.kind, rule.category, start, end, result)


# --- rule groups: one gate regex finds where any member can start ------------------------------


def _first_chars(group: Rule) -> set[str]:
    return {member.pattern.pattern[0] for member in group.members}


_MEMBERS_BY_FIRST = {
    id(group): {c: tuple(m for m in group.members if m.pattern.pattern[0] == c) for c in _first_chars(group)}
    for group in RULES
    if group.members
}


def _member_matches(group: Rule, text: str, lowered: str) -> list[tuple[Rule, list[re.Match[str]]]]:
    """For each member, in order, what ``member.pattern.finditer(text)`` finds if one of its hints
    occurs: what it found as a rule of its own. A member's matches start with its pattern's first
    character where the gate matches, so only those places are tried (see test_privacy_speed.py)."""
    by_first = _MEMBERS_BY_FIRST[id(group)]
    ends: dict[int, int] = {}
    found: dict[int, list[re.Match[str]]] = {}
    for hit in group.pattern.finditer(text):
        start = hit.start()
        for member in by_first[text[start]]:
            if start >= ends.get(id(member), 0) and (m := member.pattern.match(text, start)) is not None:
                found.setdefault(id(member), []).append(m)
                ends[id(member)] = m.end()
    if not found:
        return []  # the common case: no format starts anywhere
    return [
        (member, found[id(member)])
        for member in group.members
        if id(member) in found and any(h in lowered for h in member.hints)
    ]


def _validated(rule: Rule, matches: Iterable[re.Match[str]], found: list[Finding]) -> None:
    for m in matches:
        result = rule.validate(m)
        if result is not None:
            found.append(_finding(rule, m, result))


def _candidates(rules: Iterable[Rule], text: str, lowered: str, starts: dict[int, list[int]] | None) -> list[Finding]:
    found: list[Finding] = []
    for rule in rules:
        if rule.members:
            for member, member_matches in _member_matches(rule, text, lowered):
                _validated(member, member_matches, found)
            continue
        if not rule.words or starts is None:
            matches = _matches(rule, text)
        elif (positions := starts.get(id(rule))) is not None:
            matches = _at_words(rule, text, positions)
        else:
            continue  # its words do not occur
        _validated(rule, matches, found)
    return found


# Phone validation (phonenumbers, ~20-50 µs a number) is the costliest check, so it runs last and
# only where a phone could still be chosen. Findings that outrank every possible phone finding
# (more confident, or as confident and of a kind listed earlier) are resolved first in
# _resolve_overlaps whatever else is found, so a phone candidate overlapping one they keep would
# be dropped anyway: it is not validated.
_PHONE_PRIORITY = _PRIORITY["phone"]


def _outranks_phones(f: Finding) -> bool:
    return f.confidence > PHONE_MAX_CONFIDENCE or (
        f.confidence == PHONE_MAX_CONFIDENCE and _PRIORITY[f.kind] < _PHONE_PRIORITY
    )


def _phone_candidates(rules: Iterable[Rule], text: str, others: list[Finding]) -> list[Finding]:
    spans: list[tuple[int, int]] | None = None
    found: list[Finding] = []
    for rule in rules:
        for m in rule.pattern.finditer(text):
            if spans is None:  # resolved lazily: most texts have no phone-like digits
                spans = [(f.start, f.end) for f in _resolve_overlaps(f for f in others if _outranks_phones(f))]
            start, end = _span(rule, m)
            i = bisect.bisect_left(spans, (end,))
            if i and spans[i - 1][1] > start:
                continue  # overlaps a stronger finding that is kept: it could never be chosen
            result = rule.validate(m)
            if result is not None:
                found.append(_finding(rule, m, result))
    return found


def _scan(text: str, depth: int) -> list[Finding]:
    lowered = text.lower()
    has_digit = _DIGIT.search(text) is not None
    gates = open_gates(text) if has_digit else _NO_GATES
    phone_rules, rules = _plan(_present_hints(lowered), has_digit, gates)
    candidates = _candidates(rules, text, lowered, _word_starts(text, lowered))
    if depth < MAX_BASE64_DEPTH:
        if _may_hold_base64(text, has_digit, gates):
            candidates += _decoded_findings(text, depth)
        candidates += disguised_findings(text, lowered, depth, _scan)
    if phone_rules:
        candidates += _phone_candidates(phone_rules, text, candidates)
    return _resolve_overlaps([f for f in candidates if not is_known_example(text[f.start : f.end])])


def _resolve_overlaps(candidates: Iterable[Finding]) -> list[Finding]:
    # Chosen spans never overlap, so sorted by start they are sorted by end too: checking the two
    # neighbours of the insertion point is enough (a long paste yields thousands of findings).
    if not isinstance(candidates, list):
        candidates = list(candidates)
    if len(candidates) < 2:
        return candidates
    starts: list[int] = []
    chosen: list[Finding] = []
    ranked = sorted(candidates, key=lambda f: (-f.confidence, _PRIORITY[f.kind], -(f.end - f.start)))
    for f in ranked:
        i = bisect.bisect_right(starts, f.start)
        if (i and chosen[i - 1].end > f.start) or (i < len(chosen) and chosen[i].start < f.end):
            continue
        starts.insert(i, f.start)
        chosen.insert(i, f)
    return chosen


# Kinds whose context words alone make a message worth a second look (bot/privacy_judge.py).
_CUE_KINDS = frozenset({"password", "generic_secret", "national_id", "bank_account", "health", "financial"})
_CUE_RULES = frozenset(id(rule) for rule in _WORD_RULES if rule.kind in _CUE_KINDS)
BORDERLINE_CONFIDENCE = 0.2  # a finding this sure, but below the threshold, is borderline


def borderline(text: str, findings: Iterable[Finding] | None = None) -> bool:
    """Not sensitive by the rules, but close: a finding below the threshold (a number that may be a
    phone, a name-shaped birth date), or a context word for a secret, an id, an account, health or
    money with no value the rules could validate ("the password is my dog's name")."""
    findings = scan(text) if findings is None else list(findings)
    if is_sensitive(findings):
        return False
    if any(f.confidence >= BORDERLINE_CONFIDENCE for f in findings):
        return True
    lowered = text.lower()
    starts = _word_starts(lowered, lowered) or {}
    return not _CUE_RULES.isdisjoint(starts)


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
