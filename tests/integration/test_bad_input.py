"""A bad-input corpus through the real engine and command layer: no crash, a clear answer, state intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("slack", "T1", "C1", "100.1")
LIMIT = 20_000  # bot.max_message_chars default
INVALID_UTF8 = b"caf\xc3 \xff\xfe \xed\xa0\x80 ok".decode("utf-8", "surrogateescape")

CORPUS: dict[str, str] = {
    "nul bytes": "\x00\x00hello\x00world\x00",
    "every C0 control": "".join(map(chr, range(32))) + "after controls",
    "terminal escapes": "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m text",
    "DEL and C1 controls": "a\x7fb\x85c\x9bd",
    "invalid utf-8 (surrogateescape)": INVALID_UTF8,
    "lone surrogates": "high \ud800 low \udfff",
    "surrogate pair halves": "\ud83d\ude00 smile",
    "noncharacters": "\ufffe\uffff\U0010ffff end",
    "BOM": "\ufeffhello with a BOM",
    "right-to-left": "שלום, מה שלומך? مرحبا كيف حالك؟",
    "bidi overrides": "\u202eevil\u202c \u2066isolate\u2069 \u200f",
    "zero-width only": "\u200b\u200c\u200d\u2060",
    "zero-width inside words": "pass\u200bword re\u200dset",
    "zalgo": "Z" + "\u0336\u0322\u031b" * 2000,
    "emoji sequences": "👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷 " * 200,
    "deep brackets": "[" * (LIMIT // 2) + "]" * (LIMIT // 2),
    "deep json": '{"a":' * 3000 + "1" + "}" * 3000,
    "deep parentheses": "(" * 9000 + "x" + ")" * 9000,
    "long single word": "x" * (LIMIT - 1),
    "many lines": "line\n" * 3999,
    "format strings": "%s %d %(user)s {0} {user} {{}} %n",
    "sql": "'; DROP TABLE messages; -- \" OR 1=1",
    "mentions": "<!channel> <!here> @everyone <@U0BOT> <#C1|general>",
    "markdown bomb": "*_~`" * 4000,
}
REJECTED: dict[str, tuple[str, str]] = {
    "empty": ("", "empty message"),
    "whitespace only": (" \t\r\n " * 100, "empty message"),
    "only controls": ("\x00\x01\x02\x1b", "empty message"),
    "one over the limit": ("y" * (LIMIT + 1), "the limit is 20,000"),
    "huge": ("z" * 5_000_000, "the limit is 20,000"),
}


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(
        tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml="[limits]\nenabled = false\n"
    )
    yield app
    await app.engine.aclose()


def snapshot(app) -> dict[str, object]:
    conn = app.engine.store.conn
    return {
        "settings": conn.execute("SELECT scope, key, value FROM settings ORDER BY 1, 2").fetchall(),
        "messages": conn.execute("SELECT count(*) FROM messages").fetchone()[0],
        "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
    }


async def test_corpus_is_answered_and_stored_safely(app, fake_ollama, fake_openai) -> None:
    for name, text in CORPUS.items():
        sink = RecordingSink()
        result = await app.engine.handle(Turn(KEY, "U1", "ann\x00\udcff", text), sink)
        assert result.status == "done", (name, result.text)
        assert sink.results == [result] and result.route is not None, name
        stored = app.engine.store.message(app.engine.store.turn(result.turn_id).user_message_id)
        stored.content.encode("utf-8")  # what was stored is valid text
        assert "\x00" not in stored.content and "\x1b" not in stored.content, name
    assert snapshot(app)["integrity"] == "ok"
    assert app.engine.store.unfinished_turns() == []
    requests = fake_ollama.chat_requests() + fake_openai.chat_requests()  # simple ones local, complex ones cloud
    assert len(requests) == len(CORPUS)
    assert all("\x00" not in m["content"] for r in requests for m in r["messages"])


async def test_rejected_inputs_get_a_clear_answer_and_leave_state_intact(app, fake_ollama) -> None:
    await app.engine.handle(Turn(KEY, "U1", "ann", "hello"), RecordingSink())
    before = snapshot(app)
    for name, (text, expected) in REJECTED.items():
        sink = RecordingSink()
        result = await app.engine.handle(Turn(KEY, "U1", "ann", text), sink)
        assert result.status == "rejected" and expected in result.text, name
        assert sink.results == [result], name
    assert snapshot(app) == before and len(fake_ollama.chat_requests()) == 1
    after = await app.engine.handle(Turn(KEY, "U1", "ann", "still there?"), RecordingSink())
    assert after.status == "done"


COMMAND_CORPUS = [
    "/model \x00\udcff",
    "/model " + "m" * 100_000,
    "/model cloud \u202ehere",
    "/agent \x1b[31mred",
    "/agent show \ud800",
    "/privacy \x00local-only\x00please",
    "/feedback 💥",
    "/forget m\u200be",
    "/\x00help",
    "/" + "{" * 5000,
    "/model clear \x07",
    "/usage \udcff\udcfe",
]


async def test_command_corpus_answers_clearly_and_changes_nothing(app) -> None:
    before = snapshot(app)
    ctx = CommandContext(KEY, "U1", "ann")
    for text in COMMAND_CORPUS:
        result = await run_command(app.engine, ctx, text)
        assert result.text, text
        result.text.encode("utf-8")  # answers are valid text
    after = snapshot(app)
    assert [tuple(r) for r in after["settings"]] == [tuple(r) for r in before["settings"]]
    assert after["integrity"] == "ok"
