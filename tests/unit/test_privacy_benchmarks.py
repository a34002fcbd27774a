"""The privacy benchmarks' quick modes run, so none rots (figures come from their full runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.slow
def test_privacy_detection_quick_mode_scores_the_tuning_corpus() -> None:
    out = run("privacy_detection.py", "--quick")
    assert "privacy_corpus.jsonl" in out and "hybridbot " in out and "recall per kind" in out


@pytest.mark.slow
def test_privacy_scan_export_quick_mode_reports_throughput_and_rss() -> None:
    out = run("privacy_scan_export.py", "--quick")
    assert "MB/s" in out and "peak RSS" in out
