"""fetch_url through the tool loop with scripted models behind the real clients: a channel turn reads a page
(it reaches the model as fenced, untrusted data); a private turn is never offered it, and when its model
asks anyway nothing is requested from the web."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine import Turn
from bot.session import SessionKey
from bot.tools.fetch_url import UrlFetcher, make_fetch_url_tool
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.web_server import FakeWeb, allow_only, article_html, lookup_table
from tests.helpers import RecordingSink, make_app
from tests.integration.test_tasks_loop import calls_once, tool_results

CHANNEL = SessionKey("slack", "T1", "C1", "1700000000.000100")
DM = SessionKey("slack", "T1", "D1", None)
TOML = (
    '[routing]\ndefault_model = "cloud"\n[limits]\nenabled = false\n[tools.fetch_url]\nenabled = true\n'
    '[bot]\ndefault_agent = "research"\n'
)


@pytest.fixture
async def web() -> AsyncIterator[FakeWeb]:
    async with FakeWeb() as server:
        server.page("/tides", article_html())
        yield server


@pytest.fixture
async def app(tmp_path: Path, fake_openai: FakeOpenAI, fake_ollama: FakeOllama):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=TOML)
    config = app.engine.settings.tools.fetch_url
    fetcher = UrlFetcher(config, check=allow_only("127.0.0.1"), lookup=lookup_table({"news.test": "127.0.0.1"}))
    app.engine.tools.add_builtin(make_fetch_url_tool(config, fetcher))  # the stand-in reachable (test only)
    research = app.engine.agents.agents["research"]  # with `now` too, so a private turn is offered some tool
    app.engine.agents.agents["research"] = replace(research, tools=(*research.tools, "now"))
    yield app
    await app.engine.aclose()


async def test_a_channel_turn_reads_a_page_as_untrusted_data(app, web: FakeWeb, fake_openai: FakeOpenAI) -> None:
    fake_openai.tool_call_reply = calls_once("fetch_url", {"url": web.url("/tides", "news.test")})
    result = await app.engine.handle(Turn(CHANNEL, "U1", "ann", "summarise that tides article"), RecordingSink())
    assert result.status == "done" and result.route.locality == "cloud"
    assert web.paths() == ["/tides"]
    seen = tool_results(fake_openai.chat_requests())
    assert "Bay of Fundy" in seen and "waterproof boots" not in seen


async def test_a_private_turn_never_fetches(
    app, web: FakeWeb, fake_openai: FakeOpenAI, fake_ollama: FakeOllama
) -> None:
    fake_ollama.tool_call_reply = calls_once("fetch_url", {"url": web.url("/tides?q=my+diagnosis", "news.test")})
    result = await app.engine.handle(Turn(DM, "U1", "ann", "look up my diagnosis", private=True), RecordingSink())
    assert result.status == "done" and result.route.locality == "local"
    offered = {t["function"]["name"] for t in fake_ollama.chat_requests()[0]["tools"]}
    assert offered == {"now"}  # the model asked for fetch_url anyway: refused, nothing fetched
    assert "fetch_url is not available in this conversation" in tool_results(fake_ollama.chat_requests())
    assert web.requests == [] and fake_openai.chat_requests() == []
