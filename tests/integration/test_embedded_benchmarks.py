"""The embedded-model benchmarks' quick modes run and print their figures (not their values)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import requires_embedded

pytestmark = [pytest.mark.embedded, pytest.mark.slow, requires_embedded()]
ROOT = Path(__file__).parents[2]


def run_quick(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, f"benchmarks/{script}", "--quick", *args],
        capture_output=True,
        text=True,
        timeout=280,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.timeout(300)
@pytest.mark.parametrize("mode", [[], ["--raw"]], ids=["configured", "raw"])
def test_embedded_facts_quick_mode_reports_correct_count_and_answer_time(mode: list[str]) -> None:
    out = run_quick("embedded_facts.py", *mode)
    assert re.search(r"correct \d+/3, correct and brief \(≤ 40 words\) \d+/3; answer time mean [\d.]+ s", out), out


@pytest.mark.timeout(300)
def test_embedded_prefill_quick_mode_reports_first_token_and_prompt_tokens_per_turn() -> None:
    out = run_quick("embedded_prefill.py")
    for label in ("sliding", "blocks"):
        assert re.search(
            rf"{label}: first token at turn 4 \d+-\d+ ms .*mean over turns 3-4 \d+ ms; "
            rf"prompt tokens evaluated per turn mean \d+ of \d+",
            out,
        ), out
    assert re.search(r"blocks ÷ sliding \(medians\): [\d.]+×", out), out
