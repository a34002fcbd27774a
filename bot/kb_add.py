"""`/kb add <collection>` with a file: an admin adds a document to a knowledge collection from chat.

The file is read locally, checked (type, size, a readable document), scanned, saved into the collection's
first folder and indexed (incrementally: only the new file is read). Privacy: a file that carries a secret is
refused for every collection but a local-only one; one that carries personal data is refused for a cloud-ok
collection (whose passages go to any model as they are). `/kb` alone lists the collections.
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from bot import privacy
from bot.attachments import Attachment, FetchError
from bot.command_types import CommandContext, CommandResult
from bot.documents import DocumentError, Limits, extract
from bot.documents.detect import refusal_for
from bot.knowledge.config import CollectionConfig
from bot.knowledge.indexer import index_collection
from bot.privacy import KIND_LABELS

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger("hybridbot.kb_add")

COMMANDS = {"kb": "knowledge collections: /kb (list), /kb add <collection> with a file attached (admins)"}
USAGE = "Use `/kb` to list the collections, or `/kb add <collection>` with a file attached (admins only)."
ATTACH_HINT = (
    "Attach the file to the message that says `/kb add <collection>` (on Slack: mention me with the file; "
    "on Discord: the command's file option; in the console: `/attach PATH` first)."
)
_UNSAFE = re.compile(r"[^\w.\- ()]+")


def _result(text: str, ok: bool = True) -> CommandResult:
    return CommandResult(text, ok=ok)


async def kb_command(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    collections = engine.settings.knowledge.collections
    if not args or args[0].lower() == "list":
        if not collections:
            return _result("No knowledge collections are configured ([[knowledge.collections]] in the settings).")
        lines = ["**Knowledge collections:**"]
        lines += [f"- **{c.name}** ({c.privacy}) — {', '.join(c.paths)}" for c in collections]
        return _result("\n".join(lines))
    if args[0].lower() != "add" or len(args) != 2:
        return _result(USAGE, ok=False)
    return await add_file(engine, ctx, args[1])


async def add_file(engine: Engine, ctx: CommandContext, name: str) -> CommandResult:
    if not ctx.is_admin:
        return _result("Only admins can add files to a knowledge collection.", ok=False)
    settings = engine.settings.knowledge
    collection = settings.collection(name.lower())
    if collection is None:
        close = difflib.get_close_matches(name.lower(), [c.name for c in settings.collections], n=1)
        hint = f" Did you mean **{close[0]}**?" if close else " See `/kb` for the list."
        return _result(f"There is no collection called '{name}'.{hint}", ok=False)
    if len(ctx.attachments) != 1:
        many = "one file at a time, please. " if ctx.attachments else ""
        return _result(f"{many.capitalize()}{ATTACH_HINT}".strip(), ok=False)
    folder = target_folder(collection)
    if folder is None:
        return _result(
            f"Collection **{collection.name}** has no folder to save files in (its paths are files or patterns). "
            "Add a folder to its `paths` in the settings.",
            ok=False,
        )
    file = ctx.attachments[0]
    problem, data = await _read_checked(file, settings.max_file_bytes, collection)
    if problem:
        return _result(problem, ok=False)
    path, existed = _save(folder, file.name, data)
    if existed:
        return _result(f"**{path.name}** is already in **{collection.name}** with the same content; nothing to do.")
    report = index_collection(engine.knowledge.index, collection, settings)
    if engine.knowledge.vectors is not None:  # vectors too, where the embedder may read this collection
        await engine.knowledge.vectors.embed_collection(collection)
    log.info("kb add: %s bytes into %s by %s (%s)", len(data), collection.name, ctx.user_id, report.summary())
    skipped = dict(report.skipped).get(str(path))
    if skipped:
        return _result(f"I saved **{path.name}** but could not index it: {skipped}", ok=False)
    return _result(f"Added **{path.name}** to **{collection.name}** ({collection.privacy}); it is searchable now.")


def target_folder(collection: CollectionConfig) -> Path | None:
    """The collection's first path that is a folder (created when it is a plain folder path not there yet)."""
    for raw in collection.paths:
        expanded = os.path.expanduser(raw)
        if any(ch in expanded for ch in "*?["):
            continue
        path = Path(expanded)
        if path.is_dir():
            return path
        if not path.exists() and not path.suffix:
            return path
    return None


async def _read_checked(file: Attachment, max_bytes: int, collection: CollectionConfig) -> tuple[str, bytes]:
    """('' and the bytes) when the file may join the collection; else (why not, b'')."""
    if reason := refusal_for(file.name, file.mime or None):  # a format we know and don't read (.xlsx, images…)
        return f"I can't add {file.name}: {reason}.", b""
    if file.size and file.size > max_bytes:
        return _too_big(file.size, max_bytes), b""
    try:
        data = await file.read(max_bytes)
    except FetchError as error:
        if error.reason == "too_large":
            return _too_big(file.size or max_bytes + 1, max_bytes), b""
        return f"I couldn't download {file.name} ({error.reason.replace('_', ' ')}); try attaching it again.", b""
    try:
        document = await asyncio.to_thread(extract, data, file.name, file.mime or None, Limits(max_bytes=max_bytes))
    except DocumentError as error:
        return f"I can't add {file.name}: {error}", b""
    findings = privacy.scan(document.text)
    secrets = sorted({f.kind for f in findings if f.category == "secret" and f.confidence >= 0.5})
    if secrets and collection.privacy != "local-only":
        return (
            f"{file.name} carries a secret ({_kinds(secrets)}), so it can only join a local-only collection; "
            f"**{collection.name}** is {collection.privacy}. Remove the secret, or use a local-only collection.",
            b"",
        )
    if privacy.is_sensitive(findings) and collection.privacy == "cloud-ok":
        kinds = sorted({f.kind for f in findings})
        return (
            f"{file.name} carries personal data ({_kinds(kinds)}), and **{collection.name}** is cloud-ok (its "
            "passages go to any model as they are). Use a standard or local-only collection.",
            b"",
        )
    return "", data


def _too_big(size: int, limit: int) -> str:
    return f"That file is {size / 1_000_000:.1f} MB; a collection takes files up to {limit / 1_000_000:.1f} MB."


def _kinds(kinds: list[str]) -> str:
    return ", ".join(KIND_LABELS.get(k, k.replace("_", " ")) for k in kinds)


def safe_name(name: str) -> str:
    """A file name without folders, hidden dots or unusual characters (never empty)."""
    base = _UNSAFE.sub("_", os.path.basename(name.replace("\\", "/"))).strip(" .")
    return base[:120] or "file"


def _save(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """(where it is, whether the same content was there already); a different file of that name is kept."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_name(name)
    stem, suffix = target.stem, target.suffix
    number = 1
    while target.exists():
        if hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest():
            return target, True
        number += 1
        target = folder / f"{stem} ({number}){suffix}"
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(data)
    os.replace(partial, target)
    return target, False
