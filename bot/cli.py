"""The `hybridbot` command. Heavy libraries are imported inside each subcommand, so --help is instant."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hybridbot",
        description="A Slack and Discord assistant that routes each turn between a local and a cloud model.",
    )
    parser.add_argument("--config", metavar="PATH", help="TOML config file (default: $HYBRIDBOT_CONFIG, else none)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    console = sub.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--private", action="store_true", help="private session: local models only")
    console.add_argument("--user", default="you", metavar="NAME", help="your name in the conversation")
    console.add_argument("--channel", default="console", metavar="NAME", help="conversation name (separate memory)")
    sub.add_parser("run", help="start the configured platform adapters (Slack, Discord)")
    sub.add_parser("models", help="list every model the bot can use, with locality and health")
    sub.add_parser("config", help="print the effective configuration (secrets redacted)")
    sub.add_parser("doctor", help="check configuration, database and providers; say what to fix")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"hybridbot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    from bot.app import configure_logging

    configure_logging(settings.bot.log_level)
    handler = {"console": _console, "run": _run, "models": _models, "config": _config, "doctor": _doctor}
    try:
        return asyncio.run(handler[args.command](settings, args))
    except KeyboardInterrupt:
        return 130


async def _console(settings: Any, args: argparse.Namespace) -> int:
    from adapters.console.app import Console
    from bot.app import build_app

    app = build_app(settings)
    for note in app.notes:
        if "skipped" in note:
            print(f"hybridbot: {note}", file=sys.stderr)
    try:
        return await Console(app.engine, user=args.user, channel=args.channel, private=args.private).run()
    finally:
        await app.engine.aclose()


PLATFORMS = {
    "slack": ("SLACK_BOT_TOKEN", "not built yet (planned: issue 3)"),
    "discord": ("DISCORD_TOKEN", "not built yet (planned: issue 4)"),
}


async def _run(settings: Any, args: argparse.Namespace) -> int:
    print("Adapters:")
    print("  console — built in: `hybridbot console`")
    for name, (token, state) in PLATFORMS.items():
        configured = "configured" if settings.secret(token) else f"not configured ({token} unset)"
        print(f"  {name} — {state}; {configured}")
    print("No platform adapter can start yet. Use `hybridbot console` to chat in this terminal.", file=sys.stderr)
    return 1


async def _models(settings: Any, args: argparse.Namespace) -> int:
    from bot.catalog import Catalog
    from bot.providers.factory import build_providers

    providers, notes = build_providers(settings)
    catalog = Catalog(providers)
    try:
        statuses = await catalog.refresh(force=True)
    finally:
        await catalog.aclose()
    rows = [("MODEL", "LOCALITY", "CONTEXT", "TOOLS", "VISION", "HEALTH")]
    for status in statuses:
        health = "ok" if status.healthy else f"down: {status.error}"
        if not status.models:
            rows.append((f"{status.name}:*", status.locality, "-", "-", "-", health))
        for m in status.models:
            rows.append((m.ref, m.locality, str(m.context_length), _yn(m.tools), _yn(m.vision), health))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])
    for note in notes:
        print(f"note: {note}")
    return 0


def _yn(flag: bool) -> str:
    return "yes" if flag else "no"


async def _config(settings: Any, args: argparse.Namespace) -> int:
    from bot.config import redacted_dump

    print(f"# source: {settings.source}")
    print(json.dumps(redacted_dump(settings), indent=2, ensure_ascii=False))
    return 0


async def _doctor(settings: Any, args: argparse.Namespace) -> int:
    from bot.doctor import run_checks

    problems = 0
    for ok, line in await run_checks(settings):
        print(("✔ " if ok else "✖ ") + line)
        problems += not ok
    print("All good." if not problems else f"{problems} problem(s) found; see the ✖ lines for what to fix.")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
