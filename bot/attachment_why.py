"""/why's lines about a turn's files: each name, what became of it, and the kinds of data found (never values)."""

from __future__ import annotations

from bot import store_attachments
from bot.attachment_logic import KIND_WORDS, Report
from bot.privacy import KIND_LABELS
from bot.store import Store, TurnRecord

STATUS_WORDS = {
    "read": "read",
    "cut": "partly read (size budget)",
    "image": "an image, for a model that reads images",
    "skipped": "not read",
    "too_large": "not read (too large)",
    "unsupported": "not read (unsupported type)",
    "broken": "not read (damaged or unreadable)",
    "unavailable": "not read (download failed)",
}


def attachment_lines(store: Store, turn: TurnRecord) -> list[str]:
    reports = store_attachments.of_turn(store, turn.id)
    if not reports and turn.user_message_id is not None:  # a 🔁 answer: the files came with the first turn
        first = store_attachments.turn_of_message(store, turn.user_message_id)
        reports = store_attachments.of_turn(store, first) if first is not None else []
    if not reports:
        return []
    return ["Attachments:"] + [f"- {_describe(r)}" for r in reports]


def _describe(report: Report) -> str:
    what = f"{report.name} ({KIND_WORDS.get(report.kind, 'file')}): {STATUS_WORDS.get(report.status, report.status)}"
    if report.status == "image":
        return what + " — images are not scanned; they stay local unless privacy.images allows otherwise"
    if not report.used:
        return what
    if report.finding_kinds:
        kinds = ", ".join(KIND_LABELS.get(k, k.replace("_", " ")) for k in report.finding_kinds)
        return f"{what}; found (not shown): {kinds}"
    return f"{what}; nothing sensitive found"
