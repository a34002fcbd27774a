"""The console as a subprocess fed a bad-input corpus on stdin, and the backup commands of the CLI."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.test_console import hybridbot, stand_in_env

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

BAD_LINES = [
    b"nul \x00 byte\x00",
    b"invalid \xff\xfe \xc3\x28 utf-8 \xed\xa0\x80",
    b"\x1b]0;pwned\x07\x1b[2J escapes",
    b"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f controls",
    "שלום مرحبا \u202eevil\u202c zero\u200bwidth".encode(),
    b"[" * 9000 + b"]" * 9000,
    b"w" * 25_000,  # over bot.max_message_chars
    b"\x00\x00\x00",  # nothing left once cleaned
    b"/model \xff\x00",
    b"/agent \x1b[31m",
]


async def test_console_survives_the_corpus_and_carries_on(tmp_path, fake_ollama) -> None:
    stdin = b"\n".join([*BAD_LINES, b"hello after all that", b"/why"]) + b"\n"
    code, out, err = await hybridbot(
        "console", stdin=stdin, env=stand_in_env(tmp_path, fake_ollama, None), cwd=tmp_path
    )
    assert code == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    assert "nul  byte" in out and "invalid \ufffd\ufffd \ufffd( utf-8" in out
    assert "\x1b]0;pwned" not in out and "\x1b[2J" not in out  # no terminal control reaches the screen
    assert "the limit is 20,000" in out
    assert "I got an empty message" in out
    assert "Unknown model" in out and "Unknown agent" in out
    assert "You said: hello after all that" in out
    assert out.count("— 🔒 local · ollama:llama3.2:3b") == 7
    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM messages WHERE role='user'").fetchone()[0] == 7


async def test_export_then_import_with_the_cli(tmp_path, fake_ollama) -> None:
    env = stand_in_env(tmp_path, fake_ollama, None)
    code, _, err = await hybridbot("console", stdin=b"remember Bluebird\n", env=env, cwd=tmp_path)
    assert code == 0, err
    code, out, err = await hybridbot("export", str(tmp_path / "backup.db"), env=env, cwd=tmp_path)
    assert code == 0, err
    assert "2 messages" in out
    code, _, err = await hybridbot("export", str(tmp_path / "backup.db"), env=env, cwd=tmp_path)
    assert code == 1 and "already exists" in err and "--force" in err

    code, _, err = await hybridbot("import", str(tmp_path / "backup.db"), env=env, cwd=tmp_path)
    assert code == 1 and "already holds data" in err  # the live database is not empty
    fresh = {**env, "HYBRIDBOT_DATABASE": str(tmp_path / "restored" / "bot.db")}
    code, out, err = await hybridbot("import", str(tmp_path / "backup.db"), env=fresh, cwd=tmp_path)
    assert code == 0, err
    assert "imported" in out and "2 messages" in out
    code, out, _ = await hybridbot("console", stdin=b"what did I ask you to remember?\n", env=fresh, cwd=tmp_path)
    assert code == 0
    assert "Bluebird" in fake_ollama.chat_requests()[-1]["messages"][-2]["content"]

    (tmp_path / "junk.db").write_bytes(b"\x00" * 4096)
    code, _, err = await hybridbot("import", str(tmp_path / "junk.db"), "--force", env=fresh, cwd=tmp_path)
    assert code == 1 and "hybridbot:" in err
