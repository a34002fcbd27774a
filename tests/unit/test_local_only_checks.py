"""Summaries and routing judgements read whole conversations: a real check (not an `assert`) keeps them local."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.providers.base import ModelInfo, TextDelta
from bot.routing_judge import ask_local
from bot.summary import LocalOnlyError, summarise
from tests.fakes.instant import ScriptedProvider

CLOUD = ModelInfo("cloud", "m", "cloud")
LOCAL = ModelInfo("local", "m", "local")


async def test_a_summary_is_never_asked_of_a_cloud_model() -> None:
    provider = ScriptedProvider("cloud", locality="cloud", events=[TextDelta("a summary")])
    with pytest.raises(LocalOnlyError, match="summaries run on local models only"):
        await summarise(provider, CLOUD, "", [])  # type: ignore[arg-type]
    assert provider.calls == [], "nothing was sent"
    assert await summarise(ScriptedProvider("local", events=[TextDelta("kept")]), LOCAL, "", []) == "kept"  # type: ignore[arg-type]


async def test_a_routing_judgement_is_never_asked_of_a_cloud_model() -> None:
    provider = ScriptedProvider("cloud", locality="cloud")
    with pytest.raises(LocalOnlyError):
        await ask_local(provider, CLOUD, [], seconds=1.0)  # type: ignore[arg-type]
    assert provider.calls == []


@pytest.mark.slow  # a subprocess
def test_the_check_holds_under_python_dash_o() -> None:
    code = (
        "import asyncio\n"
        "from bot.providers.base import ModelInfo\n"
        "from bot.summary import LocalOnlyError, summarise\n"
        "try:\n"
        "    asyncio.run(summarise(None, ModelInfo('c', 'm', 'cloud'), '', []))\n"
        "except LocalOnlyError:\n"
        "    print('refused')\n"
    )
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "refused"
