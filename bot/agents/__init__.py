"""Agents: personas with instructions, temperature, a route preference and allowed tools.

Built-ins ship as TOML files next to this module; custom agents are TOML files in a configurable
folder, in the same format. A broken custom file is reported and skipped, never fatal.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

ROUTE_PREFERENCES = ("auto", "local", "cloud")
_FIELDS = {"name", "description", "instructions", "temperature", "route", "tools", "knowledge"}


@dataclass(frozen=True)
class Agent:
    name: str
    description: str
    instructions: str
    temperature: float = 0.7
    route: str = "auto"
    tools: tuple[str, ...] = ()
    builtin: bool = False
    knowledge: tuple[str, ...] = ()  # knowledge collections it searches ([[knowledge.collections]] names)


@dataclass
class AgentRegistry:
    agents: dict[str, Agent] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, name: str) -> Agent | None:
        return self.agents.get(name.lower())

    def names(self) -> list[str]:
        return sorted(self.agents)

    def suggest(self, name: str) -> list[str]:
        return difflib.get_close_matches(name.lower(), self.names(), n=3, cutoff=0.5)


def parse_agent(data: dict[str, Any], *, origin: str, builtin: bool = False) -> Agent:
    """Validate one agent definition; raise ValueError naming the field at fault."""
    unknown = set(data) - _FIELDS
    if unknown:
        raise ValueError(f"{origin}: unknown field(s) {', '.join(sorted(unknown))}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"{origin}: 'name' must be a word (letters, digits, - or _)")
    instructions = data.get("instructions")
    if not isinstance(instructions, str) or not instructions.strip():
        raise ValueError(f"{origin}: 'instructions' must be non-empty text")
    temperature = data.get("temperature", 0.7)
    if not isinstance(temperature, int | float) or not 0 <= temperature <= 2:
        raise ValueError(f"{origin}: 'temperature' must be a number from 0 to 2")
    route = data.get("route", "auto")
    if route not in ROUTE_PREFERENCES:
        raise ValueError(f"{origin}: 'route' must be one of {', '.join(ROUTE_PREFERENCES)}")
    tools = data.get("tools", [])
    if not isinstance(tools, list) or not all(isinstance(t, str) for t in tools):
        raise ValueError(f"{origin}: 'tools' must be a list of tool names")
    knowledge = data.get("knowledge", [])
    if not isinstance(knowledge, list) or not all(isinstance(k, str) and k for k in knowledge):
        raise ValueError(f"{origin}: 'knowledge' must be a list of collection names")
    return Agent(
        name=name.lower(),
        description=str(data.get("description", "")),
        instructions=instructions.strip(),
        temperature=float(temperature),
        route=route,
        tools=tuple(tools),
        builtin=builtin,
        knowledge=tuple(knowledge),
    )


def load_agents(custom_dir: str | Path | None = None) -> AgentRegistry:
    registry = AgentRegistry()
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            agent = parse_agent(tomllib.loads(entry.read_text("utf-8")), origin=entry.name, builtin=True)
            registry.agents[agent.name] = agent
    folder = Path(custom_dir).expanduser() if custom_dir else None
    if folder and folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            try:
                agent = parse_agent(tomllib.loads(path.read_text("utf-8")), origin=str(path))
            except (ValueError, tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
                registry.problems.append(f"skipped agent file {path}: {exc}")
                continue
            registry.agents[agent.name] = agent  # a custom agent may replace a built-in on purpose
    return registry
