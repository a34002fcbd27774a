"""Index a collection's files: new and changed files (by size, time, then content hash) are read and chunked;
unchanged ones are skipped; files that disappeared are removed. One file at a time, so memory stays flat."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.documents import DocumentError, Limits, extract
from bot.knowledge.chunking import chunk_sections
from bot.knowledge.config import CollectionConfig, KnowledgeConfig
from bot.knowledge.index import KnowledgeIndex, StoredDocument

log = logging.getLogger(__name__)
# Bytes of files written per transaction: FTS5 merges its index at each commit, so fewer, larger commits index
# several times faster; memory stays bounded (FTS5 flushes its pending terms by size) and a file stays atomic.
BATCH_BYTES = 8_000_000
HIDDEN_PARTS = (".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv")


@dataclass
class IndexReport:
    collection: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    missing_roots: list[str] = field(default_factory=list)

    def summary(self) -> str:
        mb = self.bytes_read / 1_000_000
        text = (
            f"{self.collection}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed; {self.chunks} passages from {mb:.1f} MB in {self.seconds:.1f} s"
        )
        if self.skipped:
            text += f"; {len(self.skipped)} skipped"
        return text


Progress = Callable[[str, int, int], None]  # (path, files done, bytes read)


def collection_files(collection: CollectionConfig, base: Path | None = None) -> tuple[list[str], list[str]]:
    """The collection's files (sorted, as paths the operator wrote them), and the roots that matched nothing."""
    found: dict[str, None] = {}
    missing: list[str] = []
    for raw in collection.paths:
        pattern = os.path.expanduser(raw)
        if base is not None and not os.path.isabs(pattern):
            pattern = str(base / pattern)
        matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        matches = [m for m in matches if os.path.exists(m)]
        if not matches:
            missing.append(raw)
        for match in matches:
            for file in _walk(match) if os.path.isdir(match) else [match]:
                found[file] = None
    return sorted(found), missing


def _walk(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in HIDDEN_PARTS)
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)


def index_collection(
    index: KnowledgeIndex,
    collection: CollectionConfig,
    settings: KnowledgeConfig,
    *,
    base: Path | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    started = time.perf_counter()
    report = IndexReport(collection.name)
    files, report.missing_roots = collection_files(collection, base)
    stored = index.documents(collection.name)
    limits = Limits(max_bytes=settings.max_file_bytes)
    with contextlib.ExitStack() as batch:
        batch_start = None
        for number, path in enumerate(files, start=1):
            if batch_start is None:  # files are written a batch per transaction (each file still atomic)
                batch.enter_context(index.batch())
                batch_start = report.bytes_read
            _index_file(index, collection.name, path, stored.pop(path, None), settings, limits, report)
            if report.bytes_read - batch_start >= BATCH_BYTES:
                batch.close()
                batch_start = None
            if progress:
                progress(path, number, report.bytes_read)
    if report.missing_roots and not files:
        log.warning("collection %s: no files found; nothing removed", collection.name)
    else:
        for gone in stored.values():  # in the index, no longer on disk
            index.remove_document(gone.id)
            report.removed += 1
    report.seconds = time.perf_counter() - started
    return report


def _index_file(
    index: KnowledgeIndex,
    name: str,
    path: str,
    known: StoredDocument | None,
    settings: KnowledgeConfig,
    limits: Limits,
    report: IndexReport,
) -> None:
    """One file: skipped when unchanged (size and time, then content hash), else extracted, chunked and stored."""
    try:
        stat = os.stat(path)
    except OSError as error:
        report.skipped.append((path, error.strerror or "can't be read"))
        return
    if known and known.size == stat.st_size and known.mtime == stat.st_mtime:
        report.unchanged += 1
        return
    if stat.st_size > limits.max_bytes:
        report.skipped.append((path, f"{stat.st_size / 1_000_000:.1f} MB is over knowledge.max_file_bytes"))
        return
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        report.skipped.append((path, error.strerror or "can't be read"))
        return
    report.bytes_read += len(data)
    digest = hashlib.sha256(data).hexdigest()
    if known and known.content_hash == digest:
        index.touch_document(known.id, stat.st_mtime)
        report.unchanged += 1
        return
    try:
        document = extract(data, path, limits=limits)
    except DocumentError as error:
        report.skipped.append((path, str(error)))
        return
    chunks = chunk_sections(document.sections, tokens=settings.chunk_tokens, overlap=settings.overlap_tokens)
    report.chunks += index.replace_document(
        name,
        path,
        title=document.title,
        kind=document.kind,
        content_hash=digest,
        size=stat.st_size,
        mtime=stat.st_mtime,
        notes=document.notes,
        chunks=chunks,
    )
    if known:
        report.updated += 1
    else:
        report.added += 1
