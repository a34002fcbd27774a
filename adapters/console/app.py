"""Console adapter: lines are turns, `/` lines are commands, answers stream to the terminal.

Interactive on a terminal (Ctrl-C stops an answer, Ctrl-D quits); scripted when stdin is a pipe
(reads lines, prints answers and footers, exits at end of input).
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from adapters.console.render import to_console
from bot.commands import CommandContext, run_command
from bot.engine import Engine, Turn, TurnResult
from bot.session import SessionKey

T = TypeVar("T")
CONSOLE_HELP = "Console: /retry answers the last question again · Ctrl-C stops an answer · /quit or Ctrl-D exits."


def _prompt_input() -> str | None:
    try:
        return input("you> ")
    except EOFError:
        return None


async def _in_daemon_thread(read: Callable[[], T]) -> T:
    """Blocking stdin reads run in a daemon thread: on Ctrl-C the process exits without waiting for
    a line (asyncio's default executor would block shutdown until Enter is pressed)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(setter: Callable[..., object], value: object) -> None:
        if not future.done():
            setter(value)

    def work() -> None:
        outcome: tuple[Callable[[Any], object], Any]
        try:
            result = read()
        except BaseException as exc:  # hand every outcome to the loop, which decides
            outcome = (future.set_exception, exc)
        else:
            outcome = (future.set_result, result)
        try:
            loop.call_soon_threadsafe(deliver, *outcome)
        except RuntimeError:  # the loop is already closed: nobody waits for this line
            pass

    threading.Thread(target=work, name="console-stdin", daemon=True).start()
    return await future


class ConsoleSink:
    def __init__(self, out: TextIO, err: TextIO, *, interactive: bool) -> None:
        self.out, self.err, self.interactive = out, err, interactive
        self._status_shown = False
        self._wrote_text = False

    async def on_status(self, text: str) -> None:
        if self.interactive:
            self.err.write(f"\r\033[2m{text}\033[0m")
            self.err.flush()
            self._status_shown = True

    def _clear_status(self) -> None:
        if self._status_shown:
            self.err.write("\r\033[K")
            self.err.flush()
            self._status_shown = False

    async def on_text(self, delta: str) -> None:
        self._clear_status()
        if not self._wrote_text and self.interactive:
            self.out.write("bot> ")
        self._wrote_text = True
        self.out.write(delta)
        self.out.flush()

    async def on_done(self, result: TurnResult) -> None:
        self._clear_status()
        if result.status == "duplicate":
            return
        if self._wrote_text:
            self.out.write("\n")
        if result.error or (result.status in ("rejected", "refused") and result.text):
            self.out.write(to_console(result.error or result.text, ansi=self.interactive) + "\n")
        for notice in result.notices:
            self.out.write(f"ℹ {to_console(notice, ansi=self.interactive)}\n")
        if result.route:
            line = f"— {result.route.footer}"
            self.out.write(f"\033[2m{line}\033[0m\n" if self.interactive else line + "\n")
        self.out.flush()
        self._wrote_text = False


class Console:
    def __init__(
        self,
        engine: Engine,
        *,
        user: str = "you",
        channel: str = "console",
        private: bool = False,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.engine = engine
        self.stdin = stdin or sys.stdin
        self.out = stdout or sys.stdout
        self.err = stderr or sys.stderr
        self.interactive = self.stdin.isatty() and self.out.isatty()
        self.key = SessionKey("console", "local", channel)
        self.user = user
        self.private = private
        self._current: asyncio.Task[TurnResult] | None = None
        self._last_turn: int | None = None

    async def _read_line(self) -> str | None:
        if self.interactive:
            return await _in_daemon_thread(_prompt_input)
        raw = await _in_daemon_thread(self.stdin.buffer.readline)
        if not raw:
            return None
        # Invalid UTF-8 must not crash a scripted session: undecodable bytes become U+FFFD.
        return raw.decode("utf-8", errors="replace").rstrip("\r\n")

    def _on_interrupt(self) -> None:
        if self._current is not None and self.engine.cancel(self.key):
            return
        raise KeyboardInterrupt

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        if self.interactive:
            await self._banner()
            loop.add_signal_handler(signal.SIGINT, self._on_interrupt)
        sink = ConsoleSink(self.out, self.err, interactive=self.interactive)
        while True:
            line = await self._read_line()
            if line is None:
                break
            if not line.strip() and self.interactive:
                continue
            if line.strip() in ("/quit", "/exit"):
                break
            if line.startswith("/"):
                await self._command(line, sink)
                continue
            turn = Turn(self.key, self.user, self.user, line, private=self.private)
            self._current = asyncio.ensure_future(self.engine.handle(turn, sink))
            try:
                result = await self._current
            finally:
                self._current = None
            self._last_turn = result.turn_id or self._last_turn
        if self.interactive:
            loop.remove_signal_handler(signal.SIGINT)
            self.out.write("\n")
        return 0

    async def _command(self, line: str, sink: ConsoleSink) -> None:
        if line.strip() == "/retry":
            if self._last_turn is None:
                self.out.write("Nothing to answer again yet.\n")
                return
            self._current = asyncio.ensure_future(
                self.engine.regenerate(self.key, self._last_turn, sink, user_id=self.user)
            )
            try:
                result = await self._current
            finally:
                self._current = None
            self._last_turn = result.turn_id or self._last_turn
            return
        ctx = CommandContext(self.key, self.user, self.user, private=self.private)
        answer = await run_command(self.engine, ctx, line)
        text = answer.text + (f"\n{CONSOLE_HELP}" if line.strip().startswith("/help") else "")
        self.out.write(to_console(text, ansi=self.interactive) + "\n")
        self.out.flush()

    async def _banner(self) -> None:
        models = await self.engine.catalog.models()
        unhealthy = self.engine.catalog.unhealthy()
        usable = [m for m in models if m.ref not in unhealthy]
        local = [m.ref for m in usable if m.locality == "local"]
        cloud = [m.ref for m in usable if m.locality == "cloud"]
        mode = " (private: local models only)" if self.private else ""
        self.out.write(f"hybridbot console{mode}. /help for commands, Ctrl-D to quit.\n")
        self.out.write(f"🔒 local: {', '.join(local) or 'none reachable'}\n☁ cloud: {', '.join(cloud) or 'none'}\n")
        if not local:
            self.out.write(
                "⚠ No local model is reachable: private messages can't be answered. Run `hybridbot doctor`.\n"
            )
        self.out.flush()
