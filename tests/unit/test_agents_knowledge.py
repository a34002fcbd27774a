"""The agent TOML's `knowledge` list: validated like the other fields."""

from __future__ import annotations

import pytest

from bot.agents import parse_agent


def test_an_agent_names_its_collections():
    agent = parse_agent({"name": "hr", "instructions": "Help.", "knowledge": ["handbook", "salaries"]}, origin="hr")
    assert agent.knowledge == ("handbook", "salaries")
    assert parse_agent({"name": "x", "instructions": "Hi."}, origin="x").knowledge == ()


@pytest.mark.parametrize("bad", ["handbook", [1], [""]])
def test_knowledge_must_be_a_list_of_names(bad):
    with pytest.raises(ValueError, match="'knowledge' must be a list of collection names"):
        parse_agent({"name": "x", "instructions": "Hi.", "knowledge": bad}, origin="x.toml")
