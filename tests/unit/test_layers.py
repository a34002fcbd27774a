"""The core knows no adapter: no module under bot/ imports `adapters` (issue 11, item 3)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"


def adapter_imports(source: str) -> list[str]:
    """Every `import adapters…` / `from adapters… import` in the source, at any depth (functions too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "adapters"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "adapters":
            found.append(node.module or "")
    return found


def test_no_module_under_bot_imports_adapters():
    offenders = {
        str(path.relative_to(BOT.parent)): names
        for path in sorted(BOT.rglob("*.py"))
        if (names := adapter_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, f"bot/ must not import adapters (wire them in hybridbot_app/): {offenders}"


@pytest.mark.parametrize(
    "source",
    [
        "import adapters",
        "import adapters.slack.config as c",
        "from adapters.discord.config import DiscordConfig",
        "def f():\n    from adapters.slack.doctor import check_slack\n",
        "if True:\n    import os, adapters.console.app\n",
    ],
)
def test_the_check_sees_every_import_form(source):
    assert adapter_imports(source)


def test_the_check_ignores_lookalikes():
    assert adapter_imports("import adapters_extra\nfrom .adapters import x\nfrom bot import adapters_note\n") == []


def test_adapter_sections_are_registered_without_imports():
    from bot.config import CoreSettings, Settings

    assert {"slack", "discord"} <= set(Settings.model_fields) - set(CoreSettings.model_fields)
