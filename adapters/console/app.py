"""Console adapter: lines are turns, `/` lines are commands, answers stream to the terminal.

Interactive on a terminal (Ctrl-C stops an answer, Ctrl-D quits); scripted when stdin is a pipe
(reads lines, prints answers and footers, exits at end of input).
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from adapters.console.approvals import ConsoleApprovals, interrupted_notes
from adapters.console.attach import attachments_from
from adapters.console.history import ConsoleHistory
from adapters.console.render import to_console
from bot.attachments import Attachment
from bot.commands import CommandContext, run_command
from bot.engine import Engine, Turn, TurnResult
from bot.session import SessionKey
from bot.tools.approval_types import ApprovalDecision, ApprovalRequest

T = TypeVar("T")
CONSOLE_HELP = (
    "Console: /retry answers the last question again · /attach PATH sends a file with your next message"
    " · Ctrl-C stops an answer · /quit or Ctrl-D exits."
)


def _prompt_input(prompt: str = "you> ") -> str | None:
    try:
        return input(prompt)
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
    def __init__(self, out: TextIO, err: TextIO, *, interactive: bool, asking: ConsoleApprovals | None = None) -> None:
        self.out, self.err, self.interactive = out, err, interactive
        self.asking = asking  # y/N questions for tools that change things (approvals.py)
        self._status_shown = False
        self._wrote_text = False

    async def on_approval(self, request: ApprovalRequest) -> str:
        if self.asking is None:
            raise RuntimeError("this console cannot ask questions")  # recorded as unavailable: a no
        self._clear_status()
        if self._wrote_text:
            self.out.write("\n")
        return await self.asking.show(request)

    async def on_approval_closed(self, request: ApprovalRequest, decision: ApprovalDecision) -> None:
        if self.asking is not None:
            await self.asking.closed(request, decision)

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
        self._reading: asyncio.Future[str | None] | None = None  # a line being read, kept if its reader gave up
        asking = ConsoleApprovals(engine.approvals, user, self.out, lambda: self._read_line(prompt=""))
        self.sink = ConsoleSink(self.out, self.err, interactive=self.interactive, asking=asking)
        self._attached: list[Attachment] = []  # /attach: files for the next message

    async def _read_line(self, prompt: str = "you> ") -> str | None:
        """The next line; a read whose waiter was cancelled (an approval that timed out) is handed to the
        next caller, so no typed line is lost."""
        if self._reading is None:
            self._reading = asyncio.ensure_future(self._read_raw(prompt))
        line = await asyncio.shield(self._reading)
        self._reading = None
        return line

    async def _read_raw(self, prompt: str) -> str | None:
        if self.interactive:
            return await _in_daemon_thread(lambda: _prompt_input(prompt))
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
        sink = self.sink
        for note in interrupted_notes(self.engine.approvals):  # questions the last session left unanswered
            self.out.write(note + "\n")
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
            files, self._attached = tuple(self._attached), []  # /attach: files for this message
            turn = Turn(self.key, self.user, self.user, line, private=self.private, attachments=files)
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
        if line.split(maxsplit=1)[0] == "/attach":
            files, problems = attachments_from(line)
            self._attached += files
            names = ", ".join(f.name for f in self._attached)
            self.out.write(
                "\n".join([*problems, f"Attached for your next message: {names}." if names else ""]).strip() + "\n"
            )
            return
        ctx = CommandContext(self.key, self.user, self.user, private=self.private, is_admin=True)  # the operator
        if line.split(maxsplit=1)[0] == "/summarize":
            name = self.engine.settings.bot.name
            history = ConsoleHistory(self.engine.store, self.key, name, private=self.private)
            ctx = dataclasses.replace(ctx, history=history, progress=self._progress)
        elif line.split(maxsplit=1)[0] == "/kb":
            ctx, self._attached = (
                dataclasses.replace(ctx, attachments=tuple(self._attached)),
                [],
            )  # /attach, then /kb add
        answer = await run_command(self.engine, ctx, line)
        text = answer.text + (f"\n{CONSOLE_HELP}" if line.strip().startswith("/help") else "")
        self.out.write(to_console(text, ansi=self.interactive) + "\n")
        self.out.flush()

    async def _progress(self, line: str) -> None:
        status = line.split("\n", 1)[0]  # status lines only, each once; the digest is printed when done
        if status != getattr(self, "_last_status", None):
            self._last_status = status
            self.out.write(status + "\n")
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
