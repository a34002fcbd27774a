"""`redact` privacy level: cloud prompts get reversible placeholders, the local record keeps the text.

Pure. The engine stores every message as written; only when a prompt is built for a cloud model
in a `redact` channel are history messages rescanned and their sensitive spans replaced by
placeholders that are stable for the conversation (``⟨EMAIL_1⟩``, ``⟨PHONE_2⟩``: the same value
gets the same placeholder in every message and every turn). ``Restorer`` swaps them back in the
streamed answer before it is shown, so the answer can name the real values although the cloud
never saw them. The table (`Placeholders`) lives only in the local database
(bot/store_placeholders.py) and goes with `/reset`, `/forget me` and retention.

Every value the conversation ever replaced is also replaced wherever it occurs again, found or not
by the scanner: the bot's restored answer ("I'll write to jane@…") carries it into the history,
and a value recognised only by its context ("password Tr0ub4dor&3") would otherwise reach the
cloud in a sentence without that context.

A message marked sensitive that yields no replacement is still withheld (never sent unredacted),
and one marked local-only is withheld whatever redaction finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from bot import privacy
from bot.store import StoredMessage

OPEN, CLOSE = "\u27e8", "\u27e9"  # ⟨ ⟩: not typed by people, kept intact by models
MAX_PLACEHOLDER = 40  # characters from ⟨ to ⟩ at most; longer text after a ⟨ is not a placeholder
MIN_VALUE = 4  # shorter values are not replaced where they occur again (they would hit ordinary words)
_PLACEHOLDER = re.compile(OPEN + r"([A-Z][A-Z_]*_\d+)" + CLOSE)


@dataclass(frozen=True)
class Placeholder:
    token: str  # "⟨EMAIL_1⟩"
    kind: str
    value: str
    author_id: str = ""  # who first wrote the value (`/forget me` takes their placeholders)


@dataclass
class Placeholders:
    """One conversation's placeholder table: value ↔ placeholder, stable for the conversation."""

    by_value: dict[str, Placeholder] = field(default_factory=dict)
    new: list[Placeholder] = field(default_factory=list)  # made while building this prompt: to be stored
    used: set[str] = field(default_factory=set)  # tokens this prompt carries (their last use is refreshed)
    _counts: dict[str, int] = field(default_factory=dict)
    _known: re.Pattern[str] | None = None

    @classmethod
    def of(cls, rows: Iterable[Placeholder]) -> Placeholders:
        table = cls()
        for row in rows:
            table._add(row)
        return table

    def _add(self, row: Placeholder) -> None:
        self.by_value[row.value] = row
        label, _, n = row.token[1:-1].rpartition("_")
        self._counts[label] = max(self._counts.get(label, 0), int(n))
        self._known = None

    def token_for(self, kind: str, value: str, author_id: str = "") -> str:
        row = self.by_value.get(value)
        if row is None:
            label = kind.upper()
            row = Placeholder(f"{OPEN}{label}_{self._counts.get(label, 0) + 1}{CLOSE}", kind, value, author_id)
            self._add(row)
            self.new.append(row)
        self.used.add(row.token)
        return row.token

    def swap_known(self, text: str) -> tuple[str, list[str]]:
        """Every known value in ``text`` replaced by its placeholder; and the kinds replaced."""
        values = [v for v in self.by_value if len(v) >= MIN_VALUE]
        if not values:
            return text, []
        if self._known is None:
            self._known = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
        kinds: list[str] = []

        def swap(m: re.Match[str]) -> str:
            row = self.by_value[m.group(0)]
            kinds.append(row.kind)
            self.used.add(row.token)
            return row.token

        return self._known.sub(swap, text), kinds

    def restore(self, text: str) -> str:
        by_token = {row.token: row.value for row in self.by_value.values()}
        return _PLACEHOLDER.sub(lambda m: by_token.get(m.group(0), m.group(0)), text)


class Restorer:
    """Swaps placeholders back in a streamed answer, delta by delta. Text from an unclosed ``⟨`` is held
    back until it closes (or is too long to be a placeholder), so one split over two deltas is swapped."""

    def __init__(self, table: Placeholders) -> None:
        self.table = table
        self.pending = ""
        self.swapped = False  # the answer named a real value: it is stored as sensitive

    def feed(self, delta: str) -> str:
        text = self.pending + delta
        cut = text.rfind(OPEN)
        if cut >= 0 and CLOSE not in text[cut:] and len(text) - cut < MAX_PLACEHOLDER:
            text, self.pending = text[:cut], text[cut:]
        else:
            self.pending = ""
        return self._restore(text)

    def flush(self) -> str:
        text, self.pending = self.pending, ""
        return self._restore(text)

    def _restore(self, text: str) -> str:
        if OPEN not in text:
            return text
        restored = self.table.restore(text)
        self.swapped = self.swapped or restored != text
        return restored


def redact_text(text: str, table: Placeholders | None = None, author_id: str = "") -> tuple[str, list[str]]:
    """The text with every sensitive span replaced, and the kinds replaced (never the values).

    With a table, spans become the conversation's placeholders and known values are replaced
    wherever they occur; without one, ``[REDACTED:kind]`` (logs, titles)."""
    findings = [f for f in privacy.scan(text) if f.confidence >= privacy.SENSITIVE_THRESHOLD]
    if table is None:
        return privacy.redact(text, findings), sorted({f.kind for f in findings})
    parts: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if f.start < pos:
            continue
        parts.append(text[pos : f.start])
        parts.append(table.token_for(f.kind, text[f.start : f.end], author_id))
        pos = f.end
    parts.append(text[pos:])
    swapped, known = table.swap_known("".join(parts))
    return swapped, sorted({f.kind for f in findings} | set(known))


def redacted_history(history: Iterable[StoredMessage], table: Placeholders | None = None) -> Iterator[StoredMessage]:
    """History for a cloud prompt: sensitive spans replaced in every message (with a table: known values
    too), sensitive messages released once something was replaced, local-only ones never."""
    for message in history:
        if message.local_only:
            # A local-only message (written while the conversation had to stay local, or a local model's
            # answer from unredacted input) is never released: what it paraphrases, the scanner may not see.
            yield message
            continue
        # Rescan: the level may have changed since it was stored.
        text, kinds = redact_text(message.content, table, message.author_id)
        if message.sensitive:
            # Released only when redaction removed something; else it stays withheld.
            yield replace(message, content=text, sensitive=False) if kinds else message
        else:
            yield replace(message, content=text) if kinds else message
