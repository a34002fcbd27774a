"""Every benchmark script runs: `python benchmarks/X.py --quick` exits 0 within seconds and prints figures.

Scripts are found, not listed: any benchmarks/*.py with a `__main__` block is a script and must have a
quick mode (one without fails here, it is not skipped). Files without one are shared helpers and must say
so by their name (`_*.py` or `*_common.py`). The figures' values are not checked (the machine is shared),
only that each script printed them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
QUICK_SECONDS = 90  # a quick mode is meant to take seconds; this bound only stops a hung script
# Words each script's figures are printed with (scripts not listed need only print numbers).
FIGURES: dict[str, tuple[str, ...]] = {
    "attachment_pdf.py": ("extraction", "first visible text"),
    "_profile_parts.py": ("CPU per answer by part",),
    "approval_clicks.py": ("click ack", "prompt shows outcome, first", "engine cost per approval"),
    "burst.py": ("answered", "429s met", "local within queue bound"),
    "context_build.py": ("ratios to 10 messages",),
    "discord_burst.py": ("× 429", "messages/s"),
    "discord_first_text.py": ("p95", "max"),
    "discord_vs_llmcord.py": ("first text p50", "worst", "× 429"),
    "engine_overhead.py": ("p99", "turns/s", "overhead p99"),
    "knowledge_index.py": ("MB/s", "query at", "p99", "RSS after"),
    "knowledge_retrieval.py": ("BM25 recall@5", "BM25 MRR@10"),
    "knowledge_vectors.py": ("backend:", "vector search at"),
    "memory_rss.py": ("RSS after",),
    "slack_burst.py": ("× 429", "all answered in"),
    "slack_first_text.py": ("median", "p95"),
    "slack_throughput.py": ("answered/s", "ack p50", "first text p50", "ms/answer", "hybridbot / echo"),
    "tool_loop.py": ("overhead per tool round", "calls executed"),
    "soak.py": ("RSS MB start / end / max", "open fds", "private turns answered in the cloud"),
}


def is_script(path: Path) -> bool:
    return 'if __name__ == "__main__":' in path.read_text(encoding="utf-8")


SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("*.py") if is_script(p))


def test_every_benchmark_file_is_a_script_or_a_named_helper() -> None:
    helpers = [p.name for p in BENCHMARKS.glob("*.py") if not is_script(p)]
    unnamed = [n for n in helpers if not (n.startswith("_") or n.endswith("_common.py"))]
    assert not unnamed, f"{unnamed}: no __main__ block, so the quick-mode test would not run them"
    assert len(SCRIPTS) >= len(FIGURES), "a benchmark named in FIGURES is no longer found as a script"
    assert set(FIGURES) <= set(SCRIPTS), set(FIGURES) - set(SCRIPTS)


@pytest.mark.timeout(QUICK_SECONDS + 30)
@pytest.mark.parametrize("script", SCRIPTS)
def test_quick_mode_runs_and_prints_its_figures(script: str) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        cwd=BENCHMARKS.parent,
        capture_output=True,
        text=True,
        timeout=QUICK_SECONDS,
        env=env,
    )
    assert done.returncode == 0, f"{script} --quick exited {done.returncode}:\n{done.stderr[-3000:]}"
    assert re.search(r"\d", done.stdout), f"{script} --quick printed no figures:\n{done.stdout}"
    missing = [word for word in FIGURES.get(script, ()) if word not in done.stdout]
    assert not missing, f"{script} --quick did not print {missing}:\n{done.stdout}"
