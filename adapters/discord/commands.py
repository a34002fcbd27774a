"""The application commands, defined once: registered on the command tree, synced, and written to the manifest.

Each command maps to the engine's platform-neutral command of the same name (`bot.commands.run_command`).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import discord
from discord import app_commands

from adapters.discord.memory_commands import memory_commands
from bot.commands import COMMANDS
from bot.config import PRIVACY_LEVELS

SCOPES = ("here", "thread", "channel", "me", "workspace")
DESCRIPTION_LIMIT = 100


class CommandHandler(Protocol):
    async def run(self, interaction: discord.Interaction, name: str, args: list[str]) -> None: ...

    async def complete(
        self, interaction: discord.Interaction, name: str, current: str
    ) -> list[app_commands.Choice[str]]: ...


class _Unwired:
    """Handler for definitions built only to describe them (the manifest); never invoked."""

    async def run(self, interaction: discord.Interaction, name: str, args: list[str]) -> None:
        raise RuntimeError("command definitions built for the manifest cannot run")

    async def complete(
        self, interaction: discord.Interaction, name: str, current: str
    ) -> list[app_commands.Choice[str]]:
        return []


def _describe(name: str) -> str:
    text = COMMANDS[name]
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"


def _choices(values: tuple[str, ...]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=v, value=v) for v in values]


class BadOptions(app_commands.AppCommandError):
    """An option value of the wrong shape (an old command definition, or a malformed payload)."""

    def __init__(self, value: object) -> None:
        super().__init__(f"unexpected option value {value!r}")
        self.value = value


def _args(*values: object) -> list[str]:
    """Option values as command words; a value that is not a single word of text is rejected."""
    words = []
    for value in values:
        if value is None:
            continue
        if not isinstance(value, str) or len(value.split()) > 1:
            raise BadOptions(value)
        if value.strip():
            words.append(value.strip())
    return words


def build_commands(handler: CommandHandler | None = None) -> list[app_commands.Command]:
    """The slash commands, wired to ``handler`` (or to nothing, for describing them), in menu order."""
    h: CommandHandler = handler or _Unwired()
    model, agent, privacy = _setting_commands(h)
    forget, tasks, summarize, kb = _feature_commands(h)
    commands: list[app_commands.Command[Any, Any, Any]] = [
        model,
        agent,
        _plain(h, "reset"),
        privacy,
        _plain(h, "why"),
        _plain(h, "usage"),
        forget,
        _plain(h, "tools"),
        tasks,
        *memory_commands(h),
        summarize,
        kb,
        _plain(h, "help"),
    ]
    contexts = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False)
    installs = app_commands.AppInstallationType(guild=True, user=False)
    for command in commands:
        command.allowed_contexts = contexts
        command.allowed_installs = installs
    return commands


def _plain(h: CommandHandler, name: str) -> app_commands.Command[Any, Any, Any]:
    """A command with no options."""

    async def run(interaction: discord.Interaction) -> None:
        await h.run(interaction, name, [])

    return app_commands.command(name=name, description=_describe(name))(run)


def _setting_commands(h: CommandHandler) -> list[app_commands.Command[Any, Any, Any]]:
    """/model, /agent and /privacy: choices with autocomplete, and the scope they apply to."""

    async def complete_model(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await h.complete(interaction, "model", current)

    async def complete_agent(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await h.complete(interaction, "agent", current)

    @app_commands.command(name="model", description=_describe("model"))
    @app_commands.describe(model="auto, local, cloud or a model (🔒 local / ☁ cloud)", scope="where it applies")
    @app_commands.autocomplete(model=complete_model)
    @app_commands.choices(scope=_choices(SCOPES))
    async def model(interaction: discord.Interaction, model: str | None = None, scope: str | None = None) -> None:
        await h.run(interaction, "model", _args(model, scope))

    @app_commands.command(name="agent", description=_describe("agent"))
    @app_commands.describe(name="the agent (persona) to switch to", scope="where it applies")
    @app_commands.autocomplete(name=complete_agent)
    @app_commands.choices(scope=_choices(SCOPES))
    async def agent(interaction: discord.Interaction, name: str | None = None, scope: str | None = None) -> None:
        await h.run(interaction, "agent", _args(name, scope))

    @app_commands.command(name="privacy", description=_describe("privacy"))
    @app_commands.describe(level="how much may leave this machine: " + ", ".join(PRIVACY_LEVELS))
    @app_commands.choices(level=_choices(PRIVACY_LEVELS))
    async def privacy(interaction: discord.Interaction, level: str | None = None) -> None:
        await h.run(interaction, "privacy", _args(level))

    return [model, agent, privacy]


def _feature_commands(h: CommandHandler) -> list[app_commands.Command[Any, Any, Any]]:
    """/forget, /tasks, /summarize and /kb."""

    @app_commands.command(name="forget", description=_describe("forget"))
    @app_commands.describe(who="'me': delete everything stored about you")
    @app_commands.choices(who=_choices(("me",)))
    async def forget(interaction: discord.Interaction, who: str | None = None) -> None:
        await h.run(interaction, "forget", _args(who))

    @app_commands.command(name="tasks", description=_describe("tasks"))
    @app_commands.describe(show="open (default) or done", complete="the number of a task to mark done")
    @app_commands.choices(show=_choices(("open", "done")))
    async def tasks(interaction: discord.Interaction, show: str | None = None, complete: int | None = None) -> None:
        words = ["complete", str(complete)] if complete is not None else _args(show)
        await h.run(interaction, "tasks", words)

    @app_commands.command(name="summarize", description=_describe("summarize"))
    @app_commands.describe(scope="this thread or the whole channel", since="how far back: 90m, 24h, 7d (default), 2w")
    @app_commands.choices(scope=_choices(("thread", "channel")))
    async def summarize(interaction: discord.Interaction, scope: str | None = None, since: str | None = None) -> None:
        await h.run(interaction, "summarize", _args(scope, since))

    @app_commands.command(name="kb", description=_describe("kb"))
    @app_commands.describe(action="list the collections, or add a file (admins)", collection="the collection")
    @app_commands.describe(file="the file to add (text, Markdown, HTML, PDF, DOCX…)")
    @app_commands.choices(action=_choices(("list", "add")))
    async def kb(
        interaction: discord.Interaction,
        action: str | None = None,
        collection: str | None = None,
        file: discord.Attachment | None = None,
    ) -> None:
        await h.run(interaction, "kb", _args(action, collection))  # the file: interaction.namespace

    return [forget, tasks, summarize, kb]


def command_payloads(commands: list[app_commands.Command] | None = None) -> list[dict]:
    """The JSON Discord receives when the commands are synced (what `CommandTree.sync` sends)."""
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    for command in commands or build_commands():
        tree.add_command(command)
    return [command.to_dict(tree) for command in tree.get_commands()]


def commands_manifest() -> str:
    """The manifest written to manifests/discord-commands.json: the synced payload, stable and readable."""
    payloads = sorted(command_payloads(), key=lambda c: c["name"])
    return json.dumps(payloads, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(commands_manifest(), end="")
