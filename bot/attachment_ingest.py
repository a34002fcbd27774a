"""Read a turn's attachments on this machine: download, extract, scan, and fit them into the turn.

Text-like files are decoded here; PDF and DOCX go through bot/documents (the knowledge extractors) in a
worker thread with a timeout. Each file's text is scanned by the privacy detector (the kinds found go to its
`Report`); the whole turn, files included, is scanned again by the engine, so a sensitive file keeps the turn
local exactly like sensitive words in the message. Images are kept as bytes for a vision model, never read here.
Nothing here logs file names or content at INFO.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace

from bot import privacy
from bot.attachment_logic import (
    FETCH_WORDS,
    KIND_WORDS,
    Budget,
    Report,
    cut_note,
    decode_text,
    extension,
    image_block,
    image_mime,
    joined,
    kind_of,
    prompt_block,
    size_words,
    tidy_json,
)
from bot.attachments import Attachment, FetchError
from bot.config import AttachmentsConfig
from bot.sanitize import clean_text
from bot.turns import Turn

log = logging.getLogger("hybridbot.attachments")


class BrokenFile(Exception):
    """The file could not be read as what it claims to be."""


@dataclass
class Prepared:
    """A turn with its files read: the text to store and route, images to send, what to tell the person."""

    turn: Turn
    reports: list[Report] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        return [r.note for r in self.reports if r.note]

    @property
    def has_content(self) -> bool:
        return bool(self.turn.text.strip()) or any(r.used for r in self.reports)


async def prepare(config: AttachmentsConfig, turn: Turn) -> Prepared:
    """Read every attachment (in order, within the limits) and return the turn to answer."""
    if not turn.attachments:
        return Prepared(turn)
    if not config.enabled:
        skipped = [
            Report(a.name, kind_of(a.name, a.mime), "skipped", a.size, note=f"📎 {a.name}: reading files is off here.")
            for a in turn.attachments
        ]
        return Prepared(replace(turn, attachments=()), skipped)
    budget = Budget(config.max_chars)
    blocks: list[str] = []
    images: list[Attachment] = []
    reports: list[Report] = []
    for position, attachment in enumerate(turn.attachments):
        if position >= config.max_files:
            reports.append(_over_count(attachment, config.max_files))
            continue
        report, block, image = await _read_one(config, attachment, budget)
        reports.append(report)
        if block:
            blocks.append(block)
        if image is not None:
            images.append(image)
    used = [r for r in reports if r.used]
    text = joined(turn.text, blocks) if used else turn.text
    log.info("attachments: %d received, %d used, %d image(s)", len(turn.attachments), len(used), len(images))
    return Prepared(replace(turn, text=text, attachments=tuple(images)), reports)


def _over_count(attachment: Attachment, most: int) -> Report:
    note = f"📎 {attachment.name}: not read — I read at most {most} files per message."
    return Report(attachment.name, kind_of(attachment.name, attachment.mime), "skipped", attachment.size, note=note)


async def _read_one(
    config: AttachmentsConfig, attachment: Attachment, budget: Budget
) -> tuple[Report, str, Attachment | None]:
    name, kind = attachment.name, kind_of(attachment.name, attachment.mime)
    report = Report(name, kind, "unsupported", attachment.size)
    if kind == "unsupported":
        report.note = (
            f"📎 {name}: I can't read .{extension(name)} files — I read text, code, Markdown, CSV, JSON, PDF, "
            "Word (.docx) and images (PNG, JPEG, GIF, WebP)."
        )
        return report, "", None
    limit = config.max_image_bytes if kind == "image" else config.max_file_bytes
    if attachment.size > limit:
        return _too_large(report, limit), "", None
    try:
        async with asyncio.timeout(config.download_timeout):
            data = await attachment.read(limit)
    except FetchError as error:
        return _unavailable(report, error.reason, limit), "", None
    except TimeoutError:
        return _unavailable(report, "timeout", limit), "", None
    report.size = len(data)
    if kind == "image":
        return _image(report, data)
    try:
        text = await _extract(config, kind, name, attachment.mime, data)
    except BrokenFile as error:
        report.status = "broken"
        report.note = f"📎 {name}: I couldn't read this {KIND_WORDS[kind]} — {error}"
        return report, "", None
    return _fit(report, clean_text(text), budget)  # no control characters or lone surrogates reach a model


def _too_large(report: Report, limit: int) -> Report:
    report.status = "too_large"
    report.note = (
        f"📎 {report.name}: not read — it is {size_words(report.size)}, and I read files up to {size_words(limit)}."
    )
    return report


def _unavailable(report: Report, reason: str, limit: int) -> Report:
    if reason == "too_large":
        report.size = max(report.size, limit + 1)
        return _too_large(report, limit)
    report.status = "unavailable"
    again = "" if reason == "forbidden" else " Try sending it again."
    report.note = f"📎 {report.name}: not read — {FETCH_WORDS.get(reason, FETCH_WORDS['failed'])}.{again}"
    return report


def _image(report: Report, data: bytes) -> tuple[Report, str, Attachment | None]:
    mime = image_mime(data)
    if mime is None:
        report.status = "broken"
        report.note = f"📎 {report.name}: this doesn't look like a PNG, JPEG, GIF or WebP image, so I can't show it."
        return report, "", None
    report.status = "image"
    return report, image_block(report.name), Attachment(report.name, mime, len(data), data=data)


async def _extract(config: AttachmentsConfig, kind: str, name: str, mime: str, data: bytes) -> str:
    if kind == "text":
        text = decode_text(data)
        if text is None:
            raise BrokenFile("it looks like binary data, not text.")
        return tidy_json(text) if extension(name) == "json" else text
    try:
        async with asyncio.timeout(config.extract_timeout):
            return await asyncio.to_thread(document_text, data, kind, name, mime, config)
    except TimeoutError:
        raise BrokenFile(f"reading it took longer than {config.extract_timeout:g} s.") from None


def document_text(data: bytes, kind: str, name: str, mime: str, config: AttachmentsConfig) -> str:
    """PDF/DOCX text through the knowledge extractors (pypdf, python-docx); BrokenFile when they fail."""
    from bot.documents import DocumentError, Limits, extract  # on first use: the parsers are heavy

    # Read a few budgets' worth: enough to say how much was left out, without parsing a whole book.
    limits = Limits(max_bytes=config.max_file_bytes, max_chars=config.max_chars * 4)
    try:
        extracted = extract(data, name, mime, limits)
    except DocumentError as error:  # its message is a sentence for the person
        raise BrokenFile(str(error)) from error
    except Exception as error:  # a parser bug on a strange file is still "can't read it", not a crash
        raise BrokenFile("the file seems damaged.") from error
    if extracted.kind != kind:  # named .pdf/.docx but something else inside: not what it claims to be
        raise BrokenFile(f"it is not really a {KIND_WORDS[kind]} inside.")
    text = extracted.text.strip()
    if not text:
        raise BrokenFile("it has no text I can extract (a scan or an image-only file?).")
    return text


def _fit(report: Report, text: str, budget: Budget) -> tuple[Report, str, Attachment | None]:
    report.total_chars = len(text)
    included, cut = budget.take(text)
    report.chars = len(included)
    report.finding_kinds = sorted({f.kind for f in privacy.scan(included)}) if included else []
    if not included:
        report.status, report.note = "skipped", cut_note(report.name, 0, len(text))
        return report, "", None
    report.status = "cut" if cut else "read"
    if cut:
        report.note = cut_note(report.name, len(included), len(text))
        return report, prompt_block(report.name, report.kind, included, cut_at=len(included), total=len(text)), None
    return report, prompt_block(report.name, report.kind, included), None
