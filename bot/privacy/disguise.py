"""Disguised secrets and personal data: percent-encoding, spaced-out characters, spelled-out e-mails.

Each disguise is undone on a small window of text (the disguised run plus the 80 characters before
it, where a context word such as "password:" may be) and the window is scanned again; a sensitive
finding inside the undone run is reported over the whole disguised run. Base64 (one level inside
another too) is undone by the scanner itself (``scanner._decoded_findings``). Each disguise has a
cheap test first ("%" present, a run of single characters, " at "/"[at]"), so ordinary text pays
almost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import unquote

from bot.privacy.common import SENSITIVE_THRESHOLD, Finding
from bot.privacy.personal_rules import _check_email_parts

Scan = Callable[[str, int], list[Finding]]

BEFORE = 80  # characters of context kept before a disguised run
MAX_RUNS = 32  # runs undone per text: a log full of URLs costs a bounded number of rescans

# A run starts where a piece between spaces and "%" starts (the look-behind): without it re tried every
# position and read to the piece's end each time, quadratic in a long URL or log line. finditer finds
# the same runs (tested in test_privacy_speed.py): the leftmost run always starts at such a place.
_PERCENT_RUN = re.compile(r"(?<![^\s%])[^\s%]*(?:%[0-9A-Fa-f]{2}[^\s%]*)+")
# Necessary for a run, and ~50x cheaper to look for: "5% off" has a "%" but no run.
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# One character, a separator, and so on: "g h p _ 1 2 …", "Y.R.o.T.?.K.5" (8+ characters).
_SPACED_RUN = re.compile(r"(?<!\S)\S(?P<sep>[ ]{1,2}|[.\-_·|,/*])(?:\S(?P=sep)){6,}\S(?!\S)")


def disguised_findings(text: str, lowered: str, depth: int, scan: Scan) -> list[Finding]:
    found: list[Finding] = []
    if "%" in text and _PERCENT_ESCAPE.search(text):
        found += _undone(text, _PERCENT_RUN.finditer(text), _percent_decoded, depth, scan)
    if _may_hold_spaced_run(text):
        found += _undone(text, _SPACED_RUN.finditer(text), _joined, depth, scan)
    found += spelled_emails(text, lowered)
    return found


_SEPARATORS = frozenset(".-_·|,/*")


def _may_hold_spaced_run(text: str) -> bool:
    """Cheap necessary test for ``_SPACED_RUN``: 8 one-character words in a row, or a word that
    alternates characters and one separator ("Y.R.o.T.?.K.5.J")."""
    in_row = 0
    for word in text.split():
        if len(word) == 1:
            in_row += 1
            if in_row >= 8:
                return True
            continue
        in_row = 0
        if len(word) >= 15 and len(set(word[1::2])) == 1 and word[1] in _SEPARATORS:
            return True
    return False


def _percent_decoded(m: re.Match[str]) -> str:
    return unquote(m.group(0), errors="strict")


def _joined(m: re.Match[str]) -> str:
    return m.group(0)[:: 1 + len(m.group("sep"))]


def _undone(
    text: str, runs: Iterator[re.Match[str]], undo: Callable[[re.Match[str]], str], depth: int, scan: Scan
) -> list[Finding]:
    found: list[Finding] = []
    for i, m in enumerate(runs):
        if i >= MAX_RUNS:
            break
        try:
            plain = undo(m)
        except (UnicodeDecodeError, ValueError):
            continue
        if plain == m.group(0):
            continue
        head = text[max(0, m.start() - BEFORE) : m.start()]
        window = head + plain + text[m.end() : m.end() + 8]
        inside = (len(head), len(head) + len(plain))
        for f in scan(window, depth + 1):
            if f.confidence >= SENSITIVE_THRESHOLD and f.end > inside[0] and f.start < inside[1]:
                found.append(Finding(f.kind, f.category, m.start(), m.end(), f.confidence))
                break
    return found


# --- e-mail addresses spelled out: "jane dot doe at gmail dot com", "priya [at] outlook [dot] com" --

_DOT = r"(?:\s*[\[({<]\s*(?:dot|punto|ponto|point|punkt|punt)\s*[\])}>]\s*|\s+(?:dot|punto|ponto|point|punkt|punt)\s+|\s+\.\s+|\.)"
# "at" spelled or spaced; a plain "@" is the e-mail rule's. Found first (cheap), then the parts around it.
_AT = re.compile(r"[\[({<][ ]?(?:at|@)[ ]?[\])}>]|[ ](?:at|arroba|chez|bei|@)(?=\s)")
_AT_WORDS = ("at", "@", "arroba", "chez", "bei")  # cheap test before the regex
_DOMAIN_AFTER = re.compile(r"\s*(?P<domain>[a-z0-9][a-z0-9-]*(?:" + _DOT + r"[a-z0-9-]+){1,3})(?![\w])")
_LOCAL_BEFORE = re.compile(r"(?<![\w.])(?P<local>[a-z0-9][a-z0-9_%+-]*(?:" + _DOT + r"[a-z0-9_%+-]+){0,3})\s*\Z")
_DOT_WORD = re.compile(_DOT)
_EMAIL_CUE = re.compile(
    r"(?:e-?mail|mail|correo|courriel|adresse|contact|reach|write|écris|escr[ií]be|stuur|scrivi|manda)"
)
_TLD = re.compile(r"[a-z]{2,24}")


def spelled_emails(text: str, lowered: str) -> list[Finding]:
    """E-mail addresses written with "at"/"dot" words or spaced-out "@" and ".", reported when they
    name a person (not a role mailbox) and are clearly meant as an address."""
    if len(lowered) != len(text) or not any(w in lowered for w in _AT_WORDS):
        return []
    found: list[Finding] = []
    for at in _AT.finditer(lowered):
        after = _DOMAIN_AFTER.match(lowered, at.end())
        if after is None:
            continue  # "at the office": the cheap, anchored half first
        before = _LOCAL_BEFORE.search(lowered, max(0, at.start() - 80), at.start())
        if before is None:
            continue
        local = _DOT_WORD.sub(".", before.group("local"))
        domain = _DOT_WORD.sub(".", after.group("domain"))
        if not _TLD.fullmatch(domain.rsplit(".", 1)[-1]):
            continue
        spelled = lowered[before.start() : after.end()]
        bracketed = any(c in spelled for c in "[({<") or " arroba " in spelled or "@" in spelled
        cue = _EMAIL_CUE.search(lowered, max(0, before.start() - 40), before.start())
        if not (bracketed or cue or "." in local):
            continue  # "the talk at pycon dot org": a place, not an address
        confidence = _check_email_parts(local, domain)
        if confidence is not None:
            found.append(Finding("email", "personal", before.start(), after.end(), confidence))
    return found
