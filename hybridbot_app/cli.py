"""The `hybridbot` command. Heavy libraries are imported inside each subcommand, so --help is instant."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

from hybridbot_app import kb

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
    sub.add_parser("run", help="start the configured platform adapters (Slack, Discord) in one process")
    manifest = sub.add_parser(
        "manifest", help="print a platform manifest (Slack app manifest; Discord commands, and the invite URL)"
    )
    manifest.add_argument("platform", choices=["slack", "discord"])
    manifest.add_argument("--http", action="store_true", help="Slack: the HTTP (Events API) variant")
    discord_cmd = sub.add_parser("discord", help="Discord tools")
    discord_cmd.add_argument("action", choices=["sync"], help="sync: register the application commands now")
    sub.add_parser("models", help="list every model the bot can use, with locality and health")
    sub.add_parser("config", help="print the effective configuration (secrets redacted)")
    sub.add_parser("doctor", help="check configuration, database and providers; say what to fix")
    scan = sub.add_parser("scan", help="find secrets and personal data in text or JSON lines; print findings as JSON")
    scan.add_argument("path", nargs="?", default="-", help="file to read (default: stdin)")
    scan.add_argument("--format", choices=["auto", "text", "jsonl"], default="auto", help="auto decides per line")
    scan.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: one per CPU)")
    export = sub.add_parser("export", help="write a consistent backup of the database to PATH")
    export.add_argument("path", metavar="PATH")
    export.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    restore = sub.add_parser("import", help="restore a backup from PATH into the (new or empty) database")
    restore.add_argument("path", metavar="PATH")
    restore.add_argument("--force", action="store_true", help="replace a database that holds data (stop the bot)")
    route = sub.add_parser("route", help="difficulty router tools (tune: refit calibration from team feedback)")
    route.add_argument("action", choices=["tune", "reset"], help="tune: refit per workspace; reset: back to shipped")
    route.add_argument("--workspace", metavar="ID", help="one workspace (default: every workspace with labels)")
    route.add_argument("--min-labels", type=int, default=20, metavar="N", help="labels needed to refit (20)")
    route.add_argument("--dry-run", action="store_true", help="print before/after, save nothing")
    from hybridbot_app.mcp_cli import add_parser as add_mcp_parser

    add_mcp_parser(sub)
    kb.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    if args.command == "scan":
        return _scan(args)  # needs no configuration
    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"hybridbot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    from bot.app import configure_logging
    from bot.logs import secret_values

    bot = settings.bot
    configure_logging(bot.log_level, bot.log_format, secrets=secret_values(settings), log_payloads=bot.log_payloads)
    if args.command == "manifest":
        return _manifest(args, settings)
    handler = {
        "console": _console,
        "run": _run,
        "models": _models,
        "config": _config,
        "doctor": _doctor,
        "discord": _discord,
        "export": _backup,
        "import": _backup,
        "route": _route,
        "mcp": _mcp,
        "kb": kb.run,
    }
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
    # The embedded model loads while the person reads the banner and types, not after they ask.
    warming = asyncio.create_task(app.engine.catalog.warm_up(settings.routing.local_model))
    try:
        return await Console(app.engine, user=args.user, channel=args.channel, private=args.private).run()
    finally:
        warming.cancel()
        await asyncio.gather(warming, return_exceptions=True)
        await app.engine.aclose()


async def _run(settings: Any, args: argparse.Namespace) -> int:
    from hybridbot_app.platforms import platform_status, run_platforms

    statuses = platform_status(settings)
    for status in statuses:
        print(f"{status.name}: {status.state}", file=sys.stderr)
    if not any(s.ready for s in statuses):
        print(
            "hybridbot: no platform adapter is configured. Set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) "
            "or SLACK_SIGNING_SECRET (HTTP), and/or DISCORD_TOKEN — or chat here with `hybridbot console`.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    return await run_platforms(settings, [s for s in statuses if s.ready])


async def _mcp(settings: Any, args: argparse.Namespace) -> int:
    from hybridbot_app.mcp_cli import run

    return await run(settings, args)


async def _route(settings: Any, args: argparse.Namespace) -> int:
    from bot import route_tune
    from bot.store import Store

    store = Store(settings.bot.database)
    if args.action == "reset":
        if not args.workspace:
            print("hybridbot: route reset needs --workspace ID", file=sys.stderr)
            return EXIT_CONFIG
        found = route_tune.reset(store, args.workspace)
        print("calibration reset to the shipped one" if found else "this workspace had no tuned calibration")
        return 0
    return route_tune.tune(
        store, settings.routing, workspace=args.workspace, min_labels=args.min_labels, dry_run=args.dry_run
    )


def _scan(args: argparse.Namespace) -> int:
    from bot.scan_export import scan_lines

    try:
        source = sys.stdin.buffer if args.path == "-" else open(args.path, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"hybridbot: cannot read {args.path}: {exc.strerror}", file=sys.stderr)
        return 1
    with source:
        records, sensitive, errors = scan_lines(source, sys.stdout, fmt=args.format, jobs=max(1, args.jobs))
    print(f"scanned {records} record(s): {sensitive} sensitive, {errors} unreadable", file=sys.stderr)
    return 1 if errors else 0


def _manifest(args: argparse.Namespace, settings: Any) -> int:
    if args.platform == "slack":
        from adapters.slack.manifest import manifest_text

        print(manifest_text(http=args.http), end="")
    else:
        import logging

        logging.getLogger("discord").setLevel(logging.ERROR)  # building the command tree warns about voice
        from adapters.discord.commands import commands_manifest
        from adapters.discord.invite import invite_text

        print(commands_manifest(), end="")  # stdout stays the JSON of manifests/discord-commands.json
        print(invite_text(settings.secret("DISCORD_TOKEN")), end="", file=sys.stderr)
    return 0


async def _discord(settings: Any, args: argparse.Namespace) -> int:
    from adapters.discord.runner import DiscordStartError, sync_commands

    try:
        print(await sync_commands(settings))
    except DiscordStartError as exc:
        print(f"hybridbot: {exc}", file=sys.stderr)
        return 1
    return 0


async def _models(settings: Any, args: argparse.Namespace) -> int:
    from bot.circuits import live_circuits, ops_metrics_url
    from bot.providers.factory import probe_providers

    statuses, notes = await probe_providers(settings)
    url = ops_metrics_url(settings)
    circuits = await live_circuits(url)  # the running bot's breakers; None when no bot answers
    rows = [("MODEL", "LOCALITY", "CONTEXT", "TOOLS", "VISION", "CIRCUIT", "HEALTH")]
    for status in statuses:
        health = "ok" if status.healthy else f"down: {status.error}"
        if not status.models:
            rows.append((f"{status.name}:*", status.locality, "-", "-", "-", "-", health))
        for m in status.models:
            circuit = (circuits or {}).get(m.ref, "closed")
            rows.append((m.ref, m.locality, str(m.context_length), _yn(m.tools), _yn(m.vision), circuit, health))
    if circuits is None:
        where = url or "its ops port ([ops] is off)"
        notes = [*notes, f"circuits: no running bot answered at {where}; all closed here"]
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


async def _backup(settings: Any, args: argparse.Namespace) -> int:
    from bot.backup import BackupError, export_database, import_database

    try:
        if args.command == "export":
            info = export_database(settings.bot.database, args.path, force=args.force)
            print(f"exported {settings.bot.database} to {info.summary}")
        else:
            info = import_database(args.path, settings.bot.database, force=args.force)
            print(f"imported {args.path} into {info.summary}")
    except BackupError as exc:
        print(f"hybridbot: {exc}", file=sys.stderr)
        return 1
    return 0


async def _doctor(settings: Any, args: argparse.Namespace) -> int:
    from hybridbot_app.doctor import run_checks

    problems = 0
    for ok, line in await run_checks(settings):
        print(("✔ " if ok else "✖ ") + line)
        problems += not ok
    print("All good." if not problems else f"{problems} problem(s) found; see the ✖ lines for what to fix.")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
