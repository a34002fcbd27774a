"""`hybridbot kb index|list|search|remove`: knowledge collections from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import Any

PROGRESS_EVERY = 1.0  # seconds between progress lines on a terminal


def add_parser(sub: Any) -> None:
    kb = sub.add_parser("kb", help="knowledge collections: index, list, search, remove")
    actions = kb.add_subparsers(dest="kb_action", metavar="ACTION", required=True)
    index = actions.add_parser("index", help="index new and changed files, drop deleted ones (all collections)")
    index.add_argument("names", nargs="*", metavar="COLLECTION", help="only these collections")
    actions.add_parser("list", help="configured and indexed collections with their privacy and size")
    search = actions.add_parser(
        "search", help="the best passages for a question (BM25, fused with vectors if configured), with sources"
    )
    search.add_argument("query")
    search.add_argument("--collection", "-c", action="append", metavar="NAME", help="only this collection")
    search.add_argument("-k", type=int, default=5, metavar="N", help="passages to show (5)")
    remove = actions.add_parser("remove", help="delete a collection's index (its files are not touched)")
    remove.add_argument("name", metavar="COLLECTION")


async def run(settings: Any, args: argparse.Namespace) -> int:
    from bot.knowledge.service import knowledge_for
    from bot.store import Store

    store = Store(settings.bot.database)
    knowledge = knowledge_for(settings, store.conn)
    try:
        if args.kb_action == "index":
            return await _index(knowledge, args)
        if args.kb_action == "search":
            return await _search(knowledge, args)
        if args.kb_action == "remove":
            code = _remove(knowledge.config, knowledge.index, args)
            knowledge.drop_unused_vectors()
            return code
        return _list(knowledge.config, knowledge.index, args)
    finally:
        await knowledge.aclose()
        store.close()


def _unknown(config: Any, names: list[str]) -> list[str]:
    known = {c.name for c in config.collections}
    return [n for n in names if n not in known]


def _known_names(config: Any) -> str:
    return ", ".join(c.name for c in config.collections) or "none — add [[knowledge.collections]] to the config"


async def _index(knowledge: Any, args: argparse.Namespace) -> int:
    from bot.knowledge.indexer import index_collection

    config, index = knowledge.config, knowledge.index
    if unknown := _unknown(config, args.names):
        print(
            f"hybridbot: no collection named {', '.join(unknown)}. Configured: {_known_names(config)}", file=sys.stderr
        )
        return 1
    chosen = [c for c in config.collections if not args.names or c.name in args.names]
    if not chosen:
        print("No collections are configured: add [[knowledge.collections]] to the config (see the README).")
        return 1
    problems = 0
    for collection in chosen:
        report = index_collection(index, collection, config, progress=_progress(collection.name))
        print(("\r" if sys.stderr.isatty() else "") + report.summary())
        for root in report.missing_roots:
            print(f"  ✖ {root}: no such file or folder (nothing was removed because of it)")
        for path, why in report.skipped:
            print(f"  ✖ skipped {path}: {why}")
        problems += len(report.skipped) + len(report.missing_roots)
        if knowledge.vectors is not None:
            embedded = await knowledge.vectors.embed_collection(collection)
            print(f"  vectors: {embedded.summary()}")
            problems += bool(embedded.error)
    knowledge.drop_unused_vectors()  # of deleted or changed passages, or of an embedder no longer configured
    return 1 if problems else 0


def _progress(name: str) -> Any:
    last = [time.monotonic()]

    def show(path: str, files: int, read: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            end = "\r" if sys.stderr.isatty() else "\n"
            print(f"{name}: {files} files, {read / 1_000_000:.1f} MB read…", end=end, file=sys.stderr, flush=True)

    return show


def _list(config: Any, index: Any, args: argparse.Namespace) -> int:
    stats = {s.collection: s for s in index.stats()}
    if not config.collections and not stats:
        print("No collections are configured: add [[knowledge.collections]] to the config (see the README).")
        return 0
    for collection in config.collections:
        s = stats.pop(collection.name, None)
        where = ", ".join(collection.channels) or "every channel"
        agents = ", ".join(collection.agents) or "any agent naming it"
        size = (
            f"{s.documents} documents, {s.chunks} passages, {s.bytes / 1_000_000:.1f} MB, indexed {_when(s.indexed_at)}"
            if s
            else "not indexed yet (hybridbot kb index)"
        )
        print(f"{collection.name} [{collection.privacy}] — {size}")
        print(f"  paths: {', '.join(collection.paths)}; channels: {where}; agents: {agents}")
    for name, s in stats.items():
        print(f"{name} — {s.documents} documents indexed but not configured; drop them: hybridbot kb remove {name}")
    return 0


def _when(stamp: float | None) -> str:
    if not stamp:
        return "never"
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


async def _search(knowledge: Any, args: argparse.Namespace) -> int:
    from bot.knowledge.query import content_words

    config = knowledge.config
    names = args.collection or [c.name for c in config.collections]
    if unknown := _unknown(config, names):
        print(
            f"hybridbot: no collection named {', '.join(unknown)}. Configured: {_known_names(config)}", file=sys.stderr
        )
        return 1
    if not content_words(args.query):
        print("The question has no words to search for.", file=sys.stderr)
        return 1
    collections = [c for c in config.collections if c.name in names]
    # the operator's own question on this machine, not a chat turn: not private
    hits = await knowledge.search(args.query, collections, max(1, args.k), private=False)
    if not hits:
        print("No passages found.")
        return 0
    for number, hit in enumerate(hits, start=1):
        snippet = " ".join(hit.text.split())[:300]
        print(f"[{number}] {hit.source.cite()}  ({hit.collection}, score {hit.score:.2f})\n    {snippet}")
    return 0


def _remove(config: Any, index: Any, args: argparse.Namespace) -> int:
    removed = index.remove_collection(args.name)
    if not removed:
        print(f"Nothing indexed in a collection named {args.name}.", file=sys.stderr)
        return 1
    still = (
        " It is still configured: the next `hybridbot kb index` indexes it again."
        if config.collection(args.name)
        else ""
    )
    print(f"Removed {removed} documents of {args.name} from the index.{still}")
    return 0
