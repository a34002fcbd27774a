"""The chunker and the query words: structure first, budget kept, locations carried. Pure."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.documents import Section
from bot.knowledge.chunking import CHARS_PER_TOKEN, chunk_sections
from bot.knowledge.config import KnowledgeConfig
from bot.knowledge.grounding import Grounding, Passage, classify_passages, sources_notice, with_passages
from bot.knowledge.index import Hit, Source
from bot.knowledge.query import content_words
from bot.providers.base import ChatMessage


def test_small_sections_are_merged_up_to_the_budget_under_the_first_heading():
    sections = [Section(f"Part {i} text.", ("Guide", f"Part {i}"), line=1 + 3 * i) for i in range(3)]
    [chunk] = list(chunk_sections(sections, tokens=100, overlap=10))
    assert chunk.heading == ("Guide", "Part 0") and chunk.line == 1
    assert chunk.also == ("Part 1", "Part 2") and "Part 2 text." in chunk.text
    assert chunk.search_heading == "Guide Part 0 Part 1 Part 2"


def test_a_long_section_is_cut_at_paragraphs_within_the_budget_with_overlap_and_lines():
    paragraphs = [f"Paragraph {i} " + "word " * 40 for i in range(10)]
    section = Section("\n\n".join(p.strip() for p in paragraphs), ("Long",), line=10)
    chunks = list(chunk_sections([section], tokens=120, overlap=10))
    assert len(chunks) > 1
    budget = (120 + 10) * CHARS_PER_TOKEN + 10  # a piece plus the overlap carried in
    assert all(len(c.text) <= budget for c in chunks)
    assert chunks[0].text.startswith("Paragraph 0") and chunks[0].line == 10
    assert chunks[1].text.startswith("…")  # the end of the previous piece comes first
    second_start = next(i for i, p in enumerate(paragraphs) if chunks[1].text.split("\n\n", 1)[1].startswith(p[:12]))
    assert chunks[1].line == 10 + 2 * second_start  # blank line between paragraphs: two lines each
    joined = " ".join(c.text for c in chunks)
    assert all(p.split()[1] in joined for p in paragraphs)  # nothing lost


def test_a_single_huge_line_is_cut_at_words():
    chunks = list(chunk_sections([Section("word " * 2000, line=1)], tokens=100, overlap=0))
    assert len(chunks) >= 20 and all(len(c.text) <= 400 for c in chunks)
    assert all(not c.text.startswith(" ") for c in chunks)


def test_pages_are_never_merged_so_a_citation_names_the_right_page():
    chunks = list(chunk_sections([Section("one", page=1), Section("two", page=2)], tokens=300, overlap=0))
    assert [(c.text, c.page) for c in chunks] == [("one", 1), ("two", 2)]


def test_question_words_drop_stop_words_and_repeats():
    assert content_words("What does the __getattr__ method do? What's __getattr__ for?") == ["getattr", "method"]


def test_content_words_keep_meaningful_terms_in_order():
    assert content_words("How do I book the holidays, and holidays in 2026?") == ["book", "holidays", "2026"]
    assert content_words("what is it?") == []


def test_overlap_must_be_smaller_than_the_budget():
    with pytest.raises(ValidationError, match="overlap_tokens must be smaller"):
        KnowledgeConfig(chunk_tokens=100, overlap_tokens=100)


def test_collection_names_are_unique_and_well_formed():
    with pytest.raises(ValidationError, match="used twice"):
        KnowledgeConfig(collections=[{"name": "a", "paths": ["x"]}, {"name": "a", "paths": ["y"]}])
    with pytest.raises(ValidationError):
        KnowledgeConfig(collections=[{"name": "Bad Name", "paths": ["x"]}])
    with pytest.raises(ValidationError):
        KnowledgeConfig(collections=[{"name": "a", "paths": ["x"], "privacy": "redact"}])


def _hit(collection: str, text: str = "text", page: int | None = None) -> Hit:
    return Hit(1, collection, f"docs/{collection}.md", collection.title(), ("Top",), page, 3, text, 1.0)


def test_passages_are_classified_by_their_collections_level():
    scanned: list[str] = []

    def scan(text: str) -> tuple[bool, list[str]]:
        scanned.append(text)
        return "secret" in text, ["email"] if "secret" in text else []

    hits = [_hit("open"), _hit("std", "a secret"), _hit("std", "plain"), _hit("closed"), _hit("gone")]
    levels = {"open": "cloud-ok", "std": "standard", "closed": "local-only"}
    passages = classify_passages(hits, levels, scan)
    assert [p.keep_local for p in passages] == [False, True, False, True, True]  # unknown: local
    assert scanned == ["a secret", "plain"]  # only standard passages are scanned
    assert Grounding(tuple(passages)).kinds == ["email"]


def test_passages_join_the_first_system_message_numbered_and_fenced():
    grounding = Grounding((Passage(_hit("open", "Leave is 30 days."), "cloud-ok", False),))
    messages = with_passages([ChatMessage("system", "Be brief."), ChatMessage("user", "leave?")], grounding)
    assert len(messages) == 2 and messages[0].content.startswith("Be brief.")
    assert '<passage n="1" source="Open — docs/open.md § Top, line 3">\nLeave is 30 days.\n</passage>' in (
        messages[0].content
    )
    assert with_passages(messages, Grounding()) == messages


def test_citations_name_title_path_heading_and_page():
    assert Source("c", "docs/p.pdf", "Policies", (), page=4).cite() == "Policies — docs/p.pdf, page 4"
    assert Source("c", "a/b.md", "b.md", ("H", "I", "J"), line=7).cite() == "a/b.md § I › J, line 7"
    notice = sources_notice([Source("c", "x.md", "X"), Source("c", "y.md", "Y")])
    assert notice == "📚 Sources: 2\n[1] X — x.md\n[2] Y — y.md"
