"""Logging set-up: text or JSON lines, the turn id on every line logged during a turn, secrets redacted.

- The engine calls `bind_turn(turn_id)` when a turn starts; a context variable carries it to every log
  call made while that turn runs (asyncio tasks copy it), and `TurnIdFilter` puts it on the record.
- Redaction happens when a record is created (a log-record factory), so every handler — ours, pytest's,
  a library's — sees the redacted text: configured secret values (platform tokens, API keys) and
  anything the privacy scanner classes as a secret become `[redacted]`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import Any, TextIO

NOISY = ("httpx", "httpcore", "openai", "httpx2", "httpcore2", "asyncio")  # request lines: WARNING and up
# Client libraries whose DEBUG lines carry request and event bodies (message text, names, pasted secrets):
# kept at INFO or above unless `bot.log_payloads = true` (unsafe: for debugging a protocol problem only).
PAYLOAD_LOGGERS = (
    "slack_bolt",
    "slack_sdk",
    "hybridbot.slack.bolt",  # the Bolt app's own logger (adapters/slack/app.py)
    "discord",
    "aiohttp",
    "websockets",
    "websocket",
    "ollama",
    "llama_cpp",
    "mcp",  # the MCP SDK logs every JSON-RPC message (tool arguments and results) at DEBUG
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(turn)s: %(message)s"
MIN_SECRET_LENGTH = 6  # shorter "secrets" would redact ordinary words

_turn: contextvars.ContextVar[int | None] = contextvars.ContextVar("hybridbot_turn", default=None)
_secrets: list[str] = []
_redacting: contextvars.ContextVar[bool] = contextvars.ContextVar("hybridbot_redacting", default=False)
_base_factory = logging.getLogRecordFactory()
_HANDLER_MARK = "_hybridbot_handler"


# --- turn context ----------------------------------------------------------------


def bind_turn(turn_id: int | None) -> None:
    """Every line logged from here on in this task (and tasks it starts) carries `turn_id`."""
    _turn.set(turn_id)


class TurnIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        turn_id = getattr(record, "turn_id", None) or _turn.get()
        record.turn_id = turn_id
        record.turn = f" [turn {turn_id}]" if turn_id else ""
        return True


# --- redaction -------------------------------------------------------------------


def set_secrets(values: Iterable[str]) -> None:
    """Exact values never to log (longest first, so a secret containing another is caught whole)."""
    _secrets[:] = sorted({v for v in values if v and len(v) >= MIN_SECRET_LENGTH}, key=len, reverse=True)


_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}|\\/")


def _unescape(text: str) -> str:
    """JSON escapes resolved (\\u0041 → A, \\/ → /), so an escaped secret is seen whole."""
    return _ESCAPE.sub(lambda m: "/" if m.group(0) == "\\/" else chr(int(m.group(0)[2:], 16)), text)


def redact(text: str) -> str:
    """Configured secret values and anything the scanner classes as a secret become [redacted]; a line with
    JSON escapes is also checked un-escaped (and, if that finds something, logged un-escaped and redacted)."""
    clean = _redact_plain(text)
    if "\\" in text:
        plain = _unescape(text)
        if plain != text and _redact_plain(plain) != plain:
            return _redact_plain(plain)
    return clean


def _redact_plain(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    from bot.privacy import scan

    spans = [(f.start, f.end) for f in scan(text) if f.category == "secret" and f.confidence >= 0.5]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + "[redacted]" + text[end:]
    return text


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if _redacting.get():  # a record logged while redacting (the scanner logging): don't recurse
        return record
    token = _redacting.set(True)
    try:
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
    except Exception:  # a badly formed log call must not break the caller; the handler reports it
        pass
    finally:
        _redacting.reset(token)
    return record


def install_redaction(secrets: Iterable[str] = ()) -> None:
    set_secrets(secrets)
    logging.setLogRecordFactory(_redacting_factory)


def uninstall_redaction() -> None:
    logging.setLogRecordFactory(_base_factory)
    _secrets.clear()


# --- formats ---------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, turn_id when in a turn, exception text."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        turn_id = getattr(record, "turn_id", None)
        if turn_id:
            data["turn_id"] = turn_id
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        if record.stack_info:
            data["stack"] = record.stack_info
        return json.dumps(data, ensure_ascii=False, default=str)


def configure(
    level: str = "WARNING",
    fmt: str = "text",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    log_payloads: bool = False,
) -> logging.Handler:
    """Replace our root handler (idempotent); return it. Libraries that log request lines stay at WARNING or
    above, those that log bodies at INFO or above (unless `log_payloads`): no level logs message content."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(TurnIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    install_redaction(secrets)
    wanted = logging.getLevelName(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, wanted))
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(wanted if log_payloads else max(logging.INFO, wanted))
    return handler


def secret_values(settings: Any) -> list[str]:
    """What must never be logged: the secrets from the environment and every endpoint's API key."""
    import os

    values = list(settings.secrets.values())
    values += [os.environ.get(e.api_key_env, "") for e in settings.endpoints if e.api_key_env]
    return [v for v in values if v]
