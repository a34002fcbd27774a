"""Knowledge vectors through the real ollama and openai clients against the stand-ins' embed endpoints: fusion with
BM25, incremental re-indexing, deletions, and privacy — a cloud embedder never reads local-only or standard text
nor a private turn's question, faults included; an embedder that is down leaves BM25 answering."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app import App
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.knowledge.tool import search_for_call
from bot.knowledge.vectors import RRF_K
from bot.session import SessionKey
from bot.tools.base import CALL_CONTEXT, CallContext
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app
from tests.knowledge_fixtures import (
    EXPENSES,
    HOLIDAYS,
    PAYROLL_EMAIL,
    SALARY_SECRET,
    index_all,
    knowledge_toml,
    write_documents,
)

KEY = SessionKey("slack", "T1", "C1", "1700000000.000100")
LOCAL = '[knowledge.embedder]\nprovider = "ollama"\nmodel = "nomic-embed-text"\n'
CLOUD = '[knowledge.embedder]\nprovider = "openai"\nmodel = "text-embedding-3-small"\n'


def _app(tmp_path: Path, ollama: str | None, openai: str | None, embedder: str) -> App:
    write_documents(tmp_path)
    return make_app(tmp_path, ollama_host=ollama, openai_url=openai, toml=knowledge_toml(tmp_path) + embedder)


async def index_and_embed(app: App) -> dict[str, object]:
    index_all(app.engine)
    vectors = app.engine.knowledge.vectors
    assert vectors is not None
    reports = {c.name: await vectors.embed_collection(c) for c in app.engine.settings.knowledge.collections}
    app.engine.knowledge.drop_unused_vectors()  # as `hybridbot kb index` does after a run
    return reports


def embedded_texts(requests: list[dict]) -> list[str]:
    return [
        text for body in requests for text in ([body["input"]] if isinstance(body["input"], str) else body["input"])
    ]


async def test_a_local_embedder_vectors_every_collection_and_search_fuses_them_with_bm25(
    tmp_path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
) -> None:
    app = _app(tmp_path, fake_ollama.host, fake_openai.base_url, LOCAL)
    reports = await index_and_embed(app)
    assert all(r.embedded >= 1 and not r.error for r in reports.values())
    sent = "\n".join(embedded_texts(fake_ollama.embed_requests()))
    assert SALARY_SECRET in sent and HOLIDAYS in sent  # a local embedder may read every level
    knowledge = app.engine.knowledge
    holidays = [c for c in app.engine.settings.knowledge.collections if c.name == "handbook"]
    hits = await knowledge.search("How many days of paid leave per year?", holidays, private=True)
    assert HOLIDAYS in hits[0].text
    assert hits[0].score == pytest.approx(2 / (RRF_K + 1))  # first in both rankings: fused
    assert embedded_texts(fake_ollama.embed_requests())[-1] == "How many days of paid leave per year?"
    knowledge.config.min_score = 1e9  # BM25 finds nothing above it: the passage comes from the vectors alone
    only = await knowledge.search("How many days of paid leave per year?", holidays, private=True)
    assert HOLIDAYS in only[0].text and only[0].score == pytest.approx(1 / (RRF_K + 1))
    assert only[0].source.cite().startswith("Handbook — ")
    await app.engine.aclose()


async def test_reindexing_reuses_unchanged_vectors_and_deletions_follow(tmp_path, fake_ollama, fake_openai) -> None:
    app = _app(tmp_path, fake_ollama.host, fake_openai.base_url, LOCAL)
    await index_and_embed(app)
    vectors = app.engine.knowledge.vectors
    assert vectors is not None
    before, requests = vectors.index.count(), len(fake_ollama.embed_requests())
    again = await index_and_embed(app)  # nothing changed
    assert sum(r.embedded for r in again.values()) == 0 and len(fake_ollama.embed_requests()) == requests
    docs = tmp_path / "docs"
    (docs / "handbook" / "more.md").write_text(f"# More\n\n{HOLIDAYS}\n")  # a new document
    (docs / "hr" / "payroll.md").write_text("# Payroll\n\n## Contacts\n\nPayroll runs on the 25th.\n")  # changed
    changed = await index_and_embed(app)
    assert [changed[n].embedded for n in ("handbook", "salaries", "hr")] == [1, 0, 1]  # the unchanged: none
    assert vectors.index.count() == before + 1  # payroll's old vector went with its passage; more.md added one
    (docs / "hr" / "payroll.md").unlink()
    await index_and_embed(app)
    assert vectors.index.count() == before  # the deleted document's vector is gone too
    hr = [c for c in app.engine.settings.knowledge.collections if c.name == "hr"]
    assert await vectors.nearest("payroll", hr, 5, private=False) == []
    await app.engine.aclose()


@pytest.mark.parametrize("fault", [None, "status", "reset"])
async def test_a_cloud_embedder_never_reads_local_only_or_standard_text(
    tmp_path, fake_ollama, fake_openai, fault
) -> None:
    app = _app(tmp_path, fake_ollama.host, fake_openai.base_url, CLOUD)
    if fault:
        fake_openai.fail_all(fault, **({"status": 503} if fault == "status" else {}))
    reports = await index_and_embed(app)
    assert "never sent to a cloud embedder" in reports["salaries"].summary()
    assert "never sent to a cloud embedder" in reports["hr"].summary()
    assert bool(reports["handbook"].error) == bool(fault)
    if fault:  # the next run, with the embedder back, embeds what is missing — still only cloud-ok text
        fake_openai.clear_faults()
        reports = await index_and_embed(app)
        assert reports["handbook"].embedded >= 1 and not reports["handbook"].error
    sent = embedded_texts(fake_openai.embed_requests())
    assert sent and all(HOLIDAYS in t or EXPENSES in t for t in sent)
    for private in (SALARY_SECRET, "142,000", PAYROLL_EMAIL, "Jane Roe"):
        assert not fake_openai.saw_text(private)
    await app.engine.aclose()


async def test_a_private_turns_question_never_reaches_a_cloud_embedder(tmp_path, fake_ollama, fake_openai) -> None:
    app = _app(tmp_path, fake_ollama.host, fake_openai.base_url, CLOUD)
    await index_and_embed(app)
    secret = "ghp_R4nd0mT0k3nV4lu3Xq9Lm2Pz8Wc5Ty1Ub7Hs"
    question = f"How many days of holidays do we get? My token is {secret}"
    dm = SessionKey("slack", "T1", "D1", None)
    result = await app.engine.handle(Turn(dm, "U1", "ann", question, private=True), RecordingSink())
    assert result.status == "done" and result.route.locality == "local"
    sensitive = await app.engine.handle(Turn(KEY, "U1", "ann", question), RecordingSink())  # a secret in it
    assert sensitive.route.locality == "local"
    assert not fake_openai.saw_text(secret) and not fake_openai.saw_text("My token is")
    clean = "How many days of holidays do we get?"
    other = SessionKey("slack", "T1", "C2", None)
    done = await app.engine.handle(Turn(other, "U1", "ann", clean), RecordingSink())
    assert done.status == "done" and clean in embedded_texts(fake_openai.embed_requests())  # a clean one may
    await app.engine.aclose()


async def test_a_person_who_set_model_local_never_has_a_question_embedded_by_a_cloud_embedder(
    tmp_path, fake_ollama, fake_openai
) -> None:
    app = _app(tmp_path, fake_ollama.host, fake_openai.base_url, CLOUD)
    await index_and_embed(app)
    ctx = CommandContext(KEY, "U1", "ann")
    for setting, question in (("local", "How many days of holidays do we get?"), ("ollama:llama3.2:3b", "Expenses?")):
        assert (await run_command(app.engine, ctx, f"/model {setting} me")).ok
        result = await app.engine.handle(Turn(KEY, "U1", "ann", question), RecordingSink())
        assert result.status == "done" and result.route.locality == "local"
        assert question not in embedded_texts(fake_openai.embed_requests())  # their words stayed here
    assert (await run_command(app.engine, ctx, "/model clear me")).ok  # the control: unpinned, a clean one may
    await app.engine.handle(Turn(KEY, "U1", "ann", "Expenses?"), RecordingSink())
    assert "Expenses?" in embedded_texts(fake_openai.embed_requests())
    await app.engine.aclose()


async def test_search_knowledge_in_a_private_call_does_not_embed_with_a_cloud_embedder(
    tmp_path, fake_ollama, fake_openai
) -> None:
    app = _app(tmp_path, fake_ollama.host, fake_openai.base_url, CLOUD)
    await index_and_embed(app)
    result = await app.engine.handle(Turn(KEY, "U1", "ann", "hello there"), RecordingSink())
    requests = len(fake_openai.embed_requests())
    token = CALL_CONTEXT.set(CallContext("slack", "T1", "C1", "U1", result.turn_id, private=True))
    try:
        found = await search_for_call(app.engine, "holidays paid leave quietly")
    finally:
        CALL_CONTEXT.reset(token)
    assert HOLIDAYS in found  # BM25 found it
    assert len(fake_openai.embed_requests()) == requests and not fake_openai.saw_text("holidays paid leave quietly")
    await app.engine.aclose()


@pytest.mark.parametrize("fault", ["down", "stall"])
async def test_an_embedder_that_fails_leaves_bm25_answering_with_a_warning(
    tmp_path, fake_ollama, fake_openai, caplog, fault
) -> None:
    embedder = FakeOpenAI()
    await embedder.start()
    url = "http://127.0.0.1:9/v1" if fault == "down" else embedder.base_url
    toml = (
        f'[[endpoints]]\nname = "vec"\nbase_url = "{url}"\nlocality = "local"\nmodels = ["text-embedding-3-small"]\n'
        '[knowledge.embedder]\nprovider = "vec"\nmodel = "text-embedding-3-small"\nquery_timeout = 0.5\n'
    )
    app = _app(tmp_path, fake_ollama.host, fake_openai.base_url, toml)
    await index_and_embed(app)
    if fault == "stall":
        embedder.fail_all("stall", seconds=5)
    with caplog.at_level(logging.WARNING, logger="hybridbot.knowledge"):
        result = await app.engine.handle(
            Turn(KEY, "U1", "ann", "How many days of holidays do we get?"), RecordingSink()
        )
    assert result.status == "done" and result.route.sources == 1  # answered from BM25's passage
    assert fake_openai.saw_text(HOLIDAYS)
    warnings = [r.getMessage() for r in caplog.records if "embedder unavailable" in r.getMessage()]
    assert warnings and not any("holidays" in w.lower() for w in warnings)  # the log never carries the question
    await app.engine.aclose()
    await embedder.stop()
