"""fetch_url against a real HTTP stand-in: the SSRF guard on every hop, limits while streaming, page text.

The stand-in listens on 127.0.0.1, which the real guard refuses. Tests that need it reached use the
fetcher's test-only arguments: a check that lets exactly the stand-in's address through (every other
address is judged by the real guard) and a lookup that maps test names to addresses.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import AsyncIterator

import pytest

from bot.config import FetchUrlConfig
from bot.tools.base import CALL_CONTEXT, CallContext
from bot.tools.fetch_url import UrlFetcher, make_fetch_url_tool
from bot.tools.runner import run_tool
from tests.fakes.web_server import FakeWeb, allow_only, article_html, lookup_table

NAMES = {"news.test": "127.0.0.1", "intranet.test": "10.0.0.7", "metadata.test": "169.254.169.254"}


@pytest.fixture
async def web() -> AsyncIterator[FakeWeb]:
    async with FakeWeb() as server:
        yield server


def tool(config: FetchUrlConfig | None = None, *, guarded: bool = False):
    config = config or FetchUrlConfig(enabled=True)
    if guarded:  # the production guard, nothing injected
        return make_fetch_url_tool(config)
    fetcher = UrlFetcher(config, check=allow_only("127.0.0.1"), lookup=lookup_table(NAMES))
    return make_fetch_url_tool(config, fetcher)


async def test_readable_text_of_a_realistic_page_without_menus_ads_or_scripts(web: FakeWeb) -> None:
    web.page("/tides", article_html())
    result = await run_tool(tool(), {"url": web.url("/tides", "news.test")})
    assert not result.is_error, result.text
    assert "Title: Why the Moon drives the tides" in result.text
    assert "two bulges" in result.text and "Bay of Fundy" in result.text
    assert "| Spring | New and full moon | Largest |" in result.text  # tables kept
    for noise in ("Subscribe to our newsletter", "waterproof boots", "cookies", "dataLayer", "All rights reserved"):
        assert noise not in result.text


async def test_the_real_guard_refuses_loopback_and_the_server_is_never_asked(web: FakeWeb) -> None:
    web.page("/tides", article_html())
    for url in (
        web.url("/tides"),
        web.url("/tides", "localhost"),
        web.url("/tides", "[::1]"),
        web.url("/tides", "127.1"),
    ):
        result = await run_tool(tool(guarded=True), {"url": url})
        assert result.is_error and "loopback" in result.text, (url, result.text)
    assert web.requests == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://intranet.test/", "10.0.0.7, a private-network address"),
        ("http://metadata.test/latest/meta-data/", "link-local"),
        ("http://192.168.0.1/admin", "private-network"),
        ("http://[::ffff:10.0.0.1]/", "inside an IPv6 address"),
        ("file:///etc/passwd", "only http and https"),
        ("http://nowhere.test/", "could not be resolved"),
    ],
)
async def test_private_names_addresses_and_schemes_are_refused(url, reason) -> None:
    result = await run_tool(tool(), {"url": url})
    assert result.is_error and reason in result.text, result.text
    assert "was not fetched" in result.text


async def test_a_redirect_to_a_private_address_is_refused_at_that_hop(web: FakeWeb) -> None:
    web.redirect("/go", "http://10.0.0.7/secret")
    web.redirect("/go-name", "http://intranet.test/secret")
    web.redirect("/go-mapped", "http://[::ffff:127.0.0.1]:1/", status=307)
    for path, reason in (("/go", "private-network"), ("/go-name", "private-network"), ("/go-mapped", "loopback")):
        result = await run_tool(tool(), {"url": web.url(path, "news.test")})
        assert result.is_error and reason in result.text, result.text
    assert web.paths() == ["/go", "/go-name", "/go-mapped"]


async def test_redirects_are_followed_within_the_limit(web: FakeWeb) -> None:
    web.page("/final", "<html><body><p>You made it to the final page of this redirect chain.</p></body></html>")
    web.redirect("/one", "/two", status=301)
    web.redirect("/two", web.url("/final", "news.test"), status=308)
    result = await run_tool(tool(), {"url": web.url("/one", "news.test")})
    assert not result.is_error and "final page" in result.text and "(redirected from" in result.text
    web.redirect("/loop", "/loop")
    looped = await run_tool(tool(FetchUrlConfig(enabled=True, max_redirects=2)), {"url": web.url("/loop", "news.test")})
    assert looped.is_error and "more than 2 redirects" in looped.text
    assert web.paths().count("/loop") == 3  # the first request and two redirects, no more


async def test_an_endless_page_is_cut_at_max_bytes_with_a_clear_note(web: FakeWeb) -> None:
    web.endless("/endless")
    config = FetchUrlConfig(enabled=True, max_bytes=50_000, max_chars=200_000)
    fetcher = UrlFetcher(config, check=allow_only("127.0.0.1"), lookup=lookup_table(NAMES))
    fetched = await fetcher.fetch(web.url("/endless", "news.test"))
    assert fetched.cut and len(fetched.body) == 50_000
    result = await run_tool(make_fetch_url_tool(config, fetcher), {"url": web.url("/endless", "news.test")})
    assert (
        "[Cut: the page is larger than 50,000 bytes (tools.fetch_url.max_bytes); only its start was read.]"
        in result.text
    )
    assert "dull boy" in result.text


async def test_a_compressed_bomb_is_cut_at_max_bytes_of_what_it_expands_to(web: FakeWeb) -> None:
    bomb = gzip.compress(b"0" * 20_000_000)  # 20 MB of text in about 20 kB on the wire
    web.page("/bomb.txt", bomb, "text/plain", headers={"Content-Encoding": "gzip"})
    config = FetchUrlConfig(enabled=True, max_bytes=100_000)
    fetcher = UrlFetcher(config, check=allow_only("127.0.0.1"), lookup=lookup_table(NAMES))
    fetched = await fetcher.fetch(web.url("/bomb.txt", "news.test"))
    assert len(bomb) < 100_000 and fetched.cut and len(fetched.body) == 100_000


async def test_a_stalled_page_ends_at_the_timeout(web: FakeWeb) -> None:
    web.stall("/stall", seconds=30)
    started = time.monotonic()
    result = await run_tool(tool(FetchUrlConfig(enabled=True, timeout=0.5)), {"url": web.url("/stall", "news.test")})
    assert result.is_error and "did not arrive within 0.5 s" in result.text
    assert time.monotonic() - started < 3


async def test_non_html_content_types(web: FakeWeb) -> None:
    web.page("/notes.txt", "line one\nline two\n", "text/plain; charset=utf-8")
    web.page("/data.json", '{"tide": "high", "at": "17:42"}', "application/json")
    web.page("/logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png")
    web.page("/missing", "gone", "text/plain", status=404)
    text = await run_tool(tool(), {"url": web.url("/notes.txt", "news.test")})
    assert text.text.endswith("line one\nline two")
    data = await run_tool(tool(), {"url": web.url("/data.json", "news.test")})
    assert '"tide": "high"' in data.text
    image = await run_tool(tool(), {"url": web.url("/logo.png", "news.test")})
    assert image.is_error and "image/png" in image.text and "not a web page or text" in image.text
    missing = await run_tool(tool(), {"url": web.url("/missing", "news.test")})
    assert missing.is_error and "404" in missing.text


async def test_long_text_is_cut_to_max_chars_for_the_model(web: FakeWeb) -> None:
    web.page("/long.txt", "word " * 5000, "text/plain")
    result = await run_tool(
        tool(FetchUrlConfig(enabled=True, max_chars=1000)), {"url": web.url("/long.txt", "news.test")}
    )
    assert result.truncated and "[output cut at 1000" in result.text


async def test_refused_in_a_private_turn_and_for_urls_carrying_secrets(web: FakeWeb) -> None:
    web.page("/tides", article_html())
    token = CALL_CONTEXT.set(CallContext("slack", "T1", "D1", "U1", 1, private=True))
    try:
        private = await run_tool(tool(), {"url": web.url("/tides", "news.test")})
    finally:
        CALL_CONTEXT.reset(token)
    assert private.is_error and "private conversation" in private.text
    key = "sk-proj-" + "Zx8Qw2Er4Ty6Ui8Op0As2Df4Gh6Jk8Lz1Xc3Vb5Nm7Qw9Er"
    leaky = await run_tool(tool(), {"url": web.url(f"/tides?key={key}", "news.test")})
    assert leaky.is_error and "secret" in leaky.text
    assert web.requests == []


def test_fetch_url_is_off_by_default_and_marked_as_sending_data_out() -> None:
    from bot.config import Settings
    from bot.tools.builtins import builtin_tools

    assert "fetch_url" not in [t.name for t in builtin_tools(Settings())]
    enabled = Settings.model_validate({"tools": {"fetch_url": {"enabled": True}}})
    fetch = next(t for t in builtin_tools(enabled) if t.name == "fetch_url")
    assert fetch.sends_data_out and not fetch.changes_things
