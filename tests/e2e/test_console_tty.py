"""The interactive console on a pseudo-terminal: prompt, streaming, Ctrl-C stops an answer, Ctrl-D quits."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.ollama_server import FakeOllama

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

ROOT = Path(__file__).parents[2]


class Terminal:
    def __init__(self, master: int) -> None:
        self.master = master
        self.seen = ""
        self.mark = 0  # expect() looks only at output after the previous match

    def _read_until(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen[self.mark :]:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"did not see {text!r} in:\n{self.seen}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    self.seen += os.read(self.master, 4096).decode(errors="replace")
                except OSError:  # the child closed the terminal
                    raise AssertionError(f"terminal closed before {text!r}:\n{self.seen}") from None
        self.mark = self.seen.index(text, self.mark) + len(text)
        return self.seen

    async def expect(self, text: str, within: float = 30) -> str:
        return await asyncio.to_thread(self._read_until, text, within)

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())


def _spawn_console(tty: int, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hybridbot_app.cli", "console"], stdin=tty, stdout=tty, stderr=tty, env=env, cwd=cwd
    )


def _spawn_console(tty: int, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hybridbot_app.cli", "console"], stdin=tty, stdout=tty, stderr=tty, env=env, cwd=cwd
    )


async def test_ctrl_c_stops_the_answer_and_ctrl_d_quits(tmp_path: Path, fake_ollama: FakeOllama) -> None:
    fake_ollama.reply = " ".join(f"word{i}" for i in range(400))
    fake_ollama.token_delay = 0.03
    config = tmp_path / "c.toml"
    config.write_text("[embedded]\nenabled = false\n")
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OLLAMA_", "HYBRIDBOT_"))}
    env |= {
        "OLLAMA_HOST": fake_ollama.host,
        "HYBRIDBOT_CONFIG": str(config),
        "HYBRIDBOT_DATABASE": str(tmp_path / "b.db"),
        "PYTHONPATH": str(ROOT),
        "TERM": "dumb",
    }
    proc = _spawn_console(slave, env, tmp_path)
    os.close(slave)
    term = Terminal(master)
    try:
        await term.expect("you> ")
        assert "🔒 local: ollama:llama3.2:3b" in term.seen
        term.type("tell me a long story\n")
        await term.expect("word5")
        proc.send_signal(signal.SIGINT)  # what Ctrl-C does on a terminal
        await term.expect("Stopped")
        assert "word399" not in term.seen
        await term.expect("you> ", within=10)
        term.type("/why\n")
        await term.expect("The last answer came from")
        term.type("\x04")  # Ctrl-D at an empty prompt
        assert await asyncio.to_thread(proc.wait, 15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
