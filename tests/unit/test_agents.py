from __future__ import annotations

from pathlib import Path

import pytest

from bot.agents import load_agents, parse_agent

BUILTINS = {"general", "research", "code", "writer", "math-tutor", "assistant", "coordinator"}


def test_builtins_load() -> None:
    registry = load_agents(None)
    assert set(registry.names()) == BUILTINS
    assert registry.get("General").name == "general"
    assert registry.get("research").route == "cloud"


def test_builtin_agents_carry_their_tools() -> None:
    registry = load_agents(None)
    assert registry.get("general").tools == ("calculator", "now")
    assert set(registry.get("assistant").tools) == {"tasks_*", "calculator", "now", "remember"}
    assert registry.get("research").tools == ("fetch_url",)


def test_custom_agents_and_broken_files_skipped(tmp_path: Path) -> None:
    (tmp_path / "support.toml").write_text('name = "support"\ninstructions = "Help."\nroute = "local"\n')
    (tmp_path / "broken.toml").write_text('name = "x"\ninstructions = ')
    (tmp_path / "bad-route.toml").write_text('name = "y"\ninstructions = "z"\nroute = "moon"\n')
    (tmp_path / "code.toml").write_text('name = "code"\ninstructions = "Our house style."\n')
    registry = load_agents(tmp_path)
    assert registry.get("support").route == "local"
    assert registry.get("code").instructions == "Our house style."  # custom replaces built-in
    assert len(registry.problems) == 2
    assert any("broken.toml" in p for p in registry.problems)
    assert any("'route' must be one of" in p for p in registry.problems)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"instructions": "x"}, "'name'"),
        ({"name": "a b", "instructions": "x"}, "'name'"),
        ({"name": "a"}, "'instructions'"),
        ({"name": "a", "instructions": "x", "temperature": 3}, "'temperature'"),
        ({"name": "a", "instructions": "x", "tools": "web"}, "'tools'"),
        ({"name": "a", "instructions": "x", "colour": "red"}, "unknown field"),
    ],
)
def test_parse_agent_rejects_bad_fields(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_agent(data, origin="t.toml")


def test_suggest_close_names() -> None:
    assert load_agents(None).suggest("writr")[0] == "writer"
