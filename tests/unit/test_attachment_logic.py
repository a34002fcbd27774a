"""Pure attachment logic: what kind a file is, how text is decoded, how the size budget cuts, how images route,
and which remembered facts a prompt may carry."""

from __future__ import annotations

import pytest

from bot.attachment_logic import Budget, decode_text, image_mime, kind_of, prompt_block, tidy_json
from bot.memory import choose, prompt_text
from bot.providers.base import ModelInfo
from bot.router import RouteRequest, route
from bot.store_memory import Fact


@pytest.mark.parametrize(
    ("name", "mime", "kind"),
    [
        ("notes.txt", "text/plain", "text"),
        ("README.md", "", "text"),
        ("main.py", "application/octet-stream", "text"),
        ("data.csv", "text/csv", "text"),
        ("config.json", "application/json", "text"),
        ("Dockerfile", "", "text"),
        ("report.pdf", "", "pdf"),
        ("scan", "application/pdf", "pdf"),
        ("letter.docx", "", "docx"),
        ("photo.JPG", "", "image"),
        ("screenshot", "image/png", "image"),
        ("setup.exe", "application/x-msdownload", "unsupported"),
        ("archive.zip", "application/zip", "unsupported"),
        ("slides.pptx", "", "unsupported"),
    ],
)
def test_kind_of(name: str, mime: str, kind: str) -> None:
    assert kind_of(name, mime) == kind


def test_decode_text_handles_boms_latin1_and_binary() -> None:
    assert decode_text("héllo".encode()) == "héllo"
    assert decode_text(b"\xef\xbb\xbfhi") == "hi"
    assert decode_text("hi".encode("utf-16")) == "hi"
    assert decode_text("café".encode("latin-1")) == "café"
    assert decode_text(b"\x00\x01\x02binary") is None


def test_image_mime_trusts_the_bytes_not_the_name() -> None:
    assert image_mime(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert image_mime(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert image_mime(b"GIF89a...") == "image/gif"
    assert image_mime(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_mime(b"<html>") is None


def test_budget_shares_characters_in_order_and_cuts_at_a_line_end() -> None:
    budget = Budget(100)
    assert budget.take("a" * 40) == ("a" * 40, False)
    text = "\n".join(["x" * 9] * 10)  # 99 characters in lines of 10
    part, cut = budget.take(text)
    assert cut and len(part) <= 60 and part.endswith("x") and budget.left == 0
    assert budget.take("more") == ("", True)


def test_prompt_block_names_the_file_and_says_where_it_was_cut() -> None:
    assert prompt_block("a.md", "text", "hi") == "[Attached text: a.md]\nhi\n[End of a.md]"
    cut = prompt_block("b.pdf", "pdf", "hi", cut_at=2, total=5_000)
    assert cut.startswith("[Attached PDF: b.pdf]") and cut.endswith(
        "[b.pdf was cut here: 2 of 5,000 characters are included]"
    )


def test_json_is_compacted_but_bad_json_kept() -> None:
    assert tidy_json('{\n  "a": [1, 2]\n}') == '{"a":[1,2]}'
    assert tidy_json("{not json") == "{not json"


# --- routing images ---------------------------------------------------------------------

LOCAL = ModelInfo("ollama", "llama3.2:3b", "local", tools=True)
LOCAL_VISION = ModelInfo("ollama", "llava:7b", "local", vision=True)
CLOUD_VISION = ModelInfo("openai", "gpt-4o", "cloud", tools=True, vision=True)


@pytest.mark.parametrize(
    ("models", "images_local", "setting", "want", "reasons"),
    [
        ((LOCAL, LOCAL_VISION, CLOUD_VISION), True, "auto", "llava:7b", {"image-local", "vision-needed"}),
        ((LOCAL, LOCAL_VISION, CLOUD_VISION), True, "cloud", "llava:7b", {"pin-overridden-by-privacy"}),
        ((LOCAL, LOCAL_VISION, CLOUD_VISION), True, "openai:gpt-4o", "llava:7b", {"pin-overridden-by-privacy"}),
        ((LOCAL, CLOUD_VISION), True, "auto", None, {"image-local", "no-local-model"}),
        ((LOCAL, LOCAL_VISION, CLOUD_VISION), False, "cloud", "gpt-4o", {"pinned-cloud", "vision-needed"}),
        ((LOCAL, CLOUD_VISION), False, "local", None, {"pinned-local"}),
        ((LOCAL, LOCAL_VISION), False, "ollama:llama3.2:3b", "llava:7b", {"pin-unavailable"}),
    ],
)
def test_images_route_to_vision_models_and_stay_local_by_default(models, images_local, setting, want, reasons) -> None:
    decision = route(
        RouteRequest(models=models, needs_vision=True, images_local=images_local, model_setting=setting, complexity=0.9)
    )
    assert (decision.model.name if decision.model else None) == want
    assert reasons <= set(decision.reasons)
    if want is None and images_local:
        assert "no local model that reads images" in decision.refusal


def test_a_turn_without_images_is_routed_as_before() -> None:
    decision = route(RouteRequest(models=(LOCAL, CLOUD_VISION), complexity=0.1))
    assert decision.model == LOCAL and "vision-needed" not in decision.reasons


# --- memory ------------------------------------------------------------------------------


def fact(text: str, sensitive: bool = False) -> Fact:
    return Fact(0, text, sensitive, (), 0.0)


def test_cloud_models_never_get_sensitive_facts_local_ones_do() -> None:
    facts = [fact("I prefer metric units"), fact("my email is a@b.io", sensitive=True)]
    cloud = choose(facts, cloud=True)
    assert cloud.lines == ("I prefer metric units",) and not cloud.sensitive
    local = choose(facts, cloud=False)
    assert local.lines == ("I prefer metric units", "my email is a@b.io") and local.sensitive


def test_many_facts_keep_the_newest_within_the_allowance() -> None:
    facts = [fact(f"fact {i:03d} " + "x" * 400) for i in range(30)]
    chosen = choose(facts, cloud=True)
    assert chosen.lines[-1].startswith("fact 029") and len(chosen.lines) < 30
    assert "ann asked you to remember" in prompt_text("ann", chosen.lines)
