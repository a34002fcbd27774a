"""Files and images in messages, through the real engine, providers and the Ollama/OpenAI stand-ins.

The leak tests assert on what the OpenAI stand-in (the cloud) recorded on the wire: a sensitive file's
contents, and image bytes while `privacy.images` is "local", never arrive there — with faults injected
(a broken PDF, a download that stalls, the local model down).
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest

from bot.attachments import Attachment, FetchError
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.documents import make_pdf
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("console", "local", "general")
EMAIL = "jane.doe@acme-corp.io"
AWS_KEY = "AKIA" + "ZQ4RT7WX2LPN8KJD"  # format-valid, not a real key
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```\n"
)
# A 1x1 PNG: real bytes a vision model would get.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
VISION = {"context_length": 8192, "capabilities": ["completion", "vision"], "family": "llava"}


def turn(text: str, *files: Attachment, key: SessionKey = KEY, private: bool = False) -> Turn:
    return Turn(key, "U1", "ann", text, private=private, attachments=files)


def file(name: str, data: bytes, mime: str = "") -> Attachment:
    return Attachment(name, mime, len(data), data=data)


def cloud_saw(fake_openai: FakeOpenAI, *values: str) -> bool:
    return any(fake_openai.saw_text(v) for v in values)


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    yield app
    await app.engine.aclose()


async def why(app) -> str:
    return (await run_command(app.engine, CommandContext(KEY, "U1"), "/why")).text


async def test_a_text_file_is_read_into_the_turn_and_named_in_why(app, fake_ollama) -> None:
    app.engine.settings.routing.default_model = "local"
    notes = file(
        "plan.md", b"# Launch plan\n\nShip the beta on the 14th; the codename is BLUEFINCH.\n", "text/markdown"
    )
    result = await app.engine.handle(turn("When do we ship?", notes), RecordingSink())
    assert result.status == "done" and result.notices == []  # read whole: nothing to tell
    prompt = fake_ollama.chat_requests()[-1]["messages"][-1]["content"]
    assert "When do we ship?" in prompt and "BLUEFINCH" in prompt and "[Attached text: plan.md]" in prompt
    assert "- plan.md (text): read; nothing sensitive found" in await why(app)


async def test_a_sensitive_file_keeps_the_turn_local_and_never_reaches_the_cloud(app, fake_openai) -> None:
    leaked = f"name,email,key\nJane,{EMAIL},{AWS_KEY}\n".encode()
    result = await app.engine.handle(turn(COMPLEX, file("people.csv", leaked, "text/csv")), RecordingSink())
    assert result.route.locality == "local" and "secret detected" in result.route.footer
    await app.engine.handle(turn(COMPLEX + " Now in more depth."), RecordingSink())  # sticky: stays local
    assert not cloud_saw(fake_openai, EMAIL, AWS_KEY, "people.csv")
    text = await why(app)
    assert "people.csv" not in text  # /why speaks of the last turn, which had no file
    await app.engine.handle(turn("one more", file("people.csv", leaked, "text/csv")), RecordingSink())
    text = await why(app)
    assert "people.csv (text): read; found (not shown):" in text and "e-mail address" in text
    assert EMAIL not in text and AWS_KEY not in text


async def test_a_sensitive_pdf_stays_local(app, fake_openai, fake_ollama) -> None:
    pdf = make_pdf(["Quarterly review", f"Contact {EMAIL} for the figures.", "Appendix"])
    result = await app.engine.handle(turn(COMPLEX, file("review.pdf", pdf, "application/pdf")), RecordingSink())
    assert result.route.locality == "local" and result.status == "done"
    assert EMAIL in fake_ollama.chat_requests()[-1]["messages"][-1]["content"]  # the local model read it
    assert not cloud_saw(fake_openai, EMAIL) and fake_openai.chat_requests() == []
    assert "review.pdf (PDF): read; found (not shown): e-mail address" in await why(app)


async def test_a_plain_pdf_may_go_to_the_cloud(app, fake_openai) -> None:
    pdf = make_pdf(["Release notes", "Version 2 adds dark mode and faster sync."])
    result = await app.engine.handle(turn(COMPLEX, file("notes.pdf", pdf)), RecordingSink())
    assert result.route.locality == "cloud"  # nothing sensitive: the file follows the message's route
    assert fake_openai.saw_text("faster sync")


async def test_local_model_down_with_a_sensitive_file_refuses_and_sends_nothing(tmp_path, fake_openai) -> None:
    app = make_app(tmp_path, ollama_host=None, openai_url=fake_openai.base_url)  # nothing listens locally
    try:
        data = f"Customer: {EMAIL}\n".encode()
        result = await app.engine.handle(turn(COMPLEX, file("c.txt", data)), RecordingSink())
        assert result.status == "refused" and "No local model is available" in result.text
        assert fake_openai.chat_requests() == [] and not cloud_saw(fake_openai, EMAIL)
    finally:
        await app.engine.aclose()


async def test_broken_unsupported_oversized_and_extra_files_get_clear_notes(tmp_path, fake_ollama) -> None:
    toml = "[attachments]\nmax_files = 3\nmax_file_bytes = 2000\n"
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=None, toml=toml)
    fetched: list[str] = []

    async def never(max_bytes: int) -> bytes:
        fetched.append("big.txt")
        return b""

    try:
        files = (
            file("scan.pdf", b"%PDF-1.4\nthis is not really a PDF\n"),
            file("tool.exe", b"MZ\x90\x00"),
            Attachment("big.txt", "text/plain", 50_000, fetch=never),
            file("fourth.txt", b"never read"),
        )
        result = await app.engine.handle(turn("what are these?", *files), RecordingSink())
        assert result.status == "done"  # the words are answered; each file's fate is said
        said = "\n".join(result.notices)
        assert "scan.pdf: I couldn't read this PDF" in said
        assert "tool.exe: I can't read .exe files" in said
        assert "big.txt: not read — it is 50 KB, and I read files up to 2 KB." in said and fetched == []
        assert "fourth.txt: not read — I read at most 3 files per message." in said
        assert "never read" not in fake_ollama.chat_requests()[-1]["messages"][-1]["content"]
    finally:
        await app.engine.aclose()


async def test_only_files_that_all_fail_get_an_answer_without_a_model_call(app, fake_ollama) -> None:
    result = await app.engine.handle(turn("", file("broken.docx", b"PK\x03\x04 not a zip")), RecordingSink())
    assert result.status == "rejected" and "broken.docx: I couldn't read this Word document" in result.text
    assert fake_ollama.chat_requests() == []


async def test_a_file_over_the_size_budget_is_cut_and_the_person_told(tmp_path, fake_ollama) -> None:
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=None, toml="[attachments]\nmax_chars = 1000\n")
    try:
        long = "\n".join(f"line {i:04d} of the log" for i in range(400)).encode()  # ~8,000 characters
        result = await app.engine.handle(turn("summarise", file("app.log", long)), RecordingSink())
        assert any("app.log: only the first" in n and "characters were read" in n for n in result.notices)
        prompt = fake_ollama.chat_requests()[-1]["messages"][-1]["content"]
        assert "[app.log was cut here:" in prompt and "line 0399" not in prompt
    finally:
        await app.engine.aclose()


async def test_a_download_that_stalls_times_out_with_a_clear_note(tmp_path, fake_ollama) -> None:
    app = make_app(
        tmp_path, ollama_host=fake_ollama.host, openai_url=None, toml="[attachments]\ndownload_timeout = 0.3\n"
    )

    async def stall(max_bytes: int) -> bytes:
        await asyncio.sleep(30)
        raise FetchError("failed")

    try:
        slow = Attachment("slow.txt", "text/plain", 10, fetch=stall)
        result = await app.engine.handle(turn("read this", slow), RecordingSink())
        assert result.status == "done"
        assert any("slow.txt: not read — downloading it took too long" in n for n in result.notices)
    finally:
        await app.engine.aclose()


# --- images ------------------------------------------------------------------------------


async def test_an_image_goes_to_a_local_vision_model_as_ollama_images(app, fake_ollama, fake_openai) -> None:
    fake_ollama.models["llava:7b"] = VISION
    fake_ollama.reply = "A red square on a white card."
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")  # tempt the cloud
    result = await app.engine.handle(turn(COMPLEX + "What is in this picture?", file("p.png", PNG)), RecordingSink())
    assert result.status == "done" and result.route.model == "llava:7b" and result.route.locality == "local"
    assert "image stays local" in result.route.footer
    sent = fake_ollama.chat_requests()[-1]["messages"][-1]
    assert sent["images"] == [base64.b64encode(PNG).decode()]
    assert fake_openai.chat_requests() == [] and not fake_openai.saw_text(base64.b64encode(PNG).decode()[:40])
    # The answer a local model wrote from the image is stored local-only: the next cloud turn doesn't get it.
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model auto")
    await app.engine.handle(turn(COMPLEX), RecordingSink())
    assert fake_openai.chat_requests() and not fake_openai.saw_text("red square")


async def test_no_local_vision_model_means_a_clear_refusal_never_the_cloud(app, fake_openai) -> None:
    # The OpenAI stand-in serves gpt-4o (a vision model): it must still get nothing.
    result = await app.engine.handle(turn("What is in this picture?", file("p.png", PNG)), RecordingSink())
    assert result.status == "refused"
    assert "no local model that reads images is available" in result.text and "nothing was sent" in result.text
    assert fake_openai.chat_requests() == []
    text = await why(app)
    assert "not answered (refused)" in text and "images stay on local models" in text
    assert "- p.png (image): an image, for a model that reads images" in text


async def test_follow_level_lets_an_image_reach_a_cloud_vision_model_as_a_data_uri(tmp_path, fake_openai) -> None:
    app = make_app(
        tmp_path, ollama_host=None, openai_url=fake_openai.base_url, toml='[privacy]\nimages = "follow-level"\n'
    )
    try:
        result = await app.engine.handle(turn(COMPLEX + "Describe it.", file("p.png", PNG)), RecordingSink())
        assert result.status == "done" and result.route.locality == "cloud"
        parts = fake_openai.chat_requests()[-1]["messages"][-1]["content"]
        urls = [p["image_url"]["url"] for p in parts if p.get("type") == "image_url"]
        assert urls == ["data:image/png;base64," + base64.b64encode(PNG).decode()]
        # A DM is still local-only under follow-level: no local vision model there means a refusal.
        dm = SessionKey("console", "local", "D1")
        refused = await app.engine.handle(turn("and this?", file("p.png", PNG), key=dm, private=True), RecordingSink())
        assert refused.status == "refused" and len(fake_openai.chat_requests()) == 1
    finally:
        await app.engine.aclose()


async def test_a_file_that_is_not_really_an_image_is_named_not_sent(app, fake_ollama) -> None:
    fake_ollama.models["llava:7b"] = VISION
    result = await app.engine.handle(turn("look", file("fake.png", b"GIF? no, text")), RecordingSink())
    assert result.status == "done" and any("fake.png: this doesn't look like" in n for n in result.notices)
    assert "images" not in fake_ollama.chat_requests()[-1]["messages"][-1]


def test_privacy_images_setting_is_validated(tmp_path) -> None:
    from bot.config import ConfigError, load_settings

    config = tmp_path / "bad.toml"
    config.write_text('[privacy]\nimages = "cloud"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(config, env={})
    assert "images" in str(error.value)


async def test_at_the_redact_level_a_sensitive_file_reaches_the_cloud_only_as_placeholders(app, fake_openai) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/privacy redact")
    data = f"Escalations go to {EMAIL} after 6pm.\n".encode()
    result = await app.engine.handle(turn(COMPLEX, file("oncall.txt", data)), RecordingSink())
    assert result.route.locality == "cloud" and "sensitive parts redacted" in result.route.footer
    assert fake_openai.saw_text("⟨EMAIL_1⟩") and fake_openai.saw_text("after 6pm")  # reversible placeholder
    assert not fake_openai.saw_text(EMAIL)
