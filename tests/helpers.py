"""Build the real app (settings → providers → engine) against the stand-ins, as production does."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from bot.config import load_settings
from bot.engine import TurnResult

API_KEY = "sk-test-stand-in-key"


def make_app(tmp_path: Path, *, ollama_host: str | None, openai_url: str | None, toml: str = "") -> App:
    config = tmp_path / "hybridbot.toml"
    config.write_text("[embedded]\nenabled = false\n[catalog]\nhealth_ttl = 0\n" + toml)
    env = {"HYBRIDBOT_DATABASE": str(tmp_path / "bot.db")}
    if ollama_host:
        env["OLLAMA_HOST"] = ollama_host
    else:
        env["OLLAMA_HOST"] = "http://127.0.0.1:9"  # nothing listens: a local model that is down
    if openai_url:
        env |= {"OPENAI_BASE_URL": openai_url, "OPENAI_API_KEY": API_KEY}
    return build_app(load_settings(config, env=env))


@dataclass
class RecordingSink:
    statuses: list[str] = field(default_factory=list)
    deltas: list[str] = field(default_factory=list)
    results: list[TurnResult] = field(default_factory=list)

    async def on_status(self, text: str) -> None:
        self.statuses.append(text)

    async def on_text(self, delta: str) -> None:
        self.deltas.append(delta)

    async def on_done(self, result: TurnResult) -> None:
        self.results.append(result)

    @property
    def text(self) -> str:
        return "".join(self.deltas)


def requires_embedded():
    """Marks tests that need the embedded runtime (xllamacpp) and the SmolLM2 file.

    A developer without them gets a skip that says what to install. CI (CI set in the environment, as
    `.ci/run` does) installs both, so there a missing model is a failure, never a silent skip.
    """
    import os

    import pytest

    from bot.providers.embedded import embedded_available

    available, why = embedded_available()
    if os.environ.get("CI"):
        return pytest.mark.embedded
    return pytest.mark.skipif(not available, reason=f"embedded model not installed: {why}")


def turn_id_from_blocks(blocks: list[dict[str, Any]] | None) -> int | None:
    """The turn a Slack answer's footer names (block_id hb_turn_<id>): how a test tells which turn a message shows."""
    from adapters.slack.blocks import TURN_BLOCK_PREFIX

    for block in blocks or []:
        block_id = str(block.get("block_id", ""))
        if block_id.startswith(TURN_BLOCK_PREFIX) and block_id[len(TURN_BLOCK_PREFIX) :].isdigit():
            return int(block_id[len(TURN_BLOCK_PREFIX) :])
    return None
