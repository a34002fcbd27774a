"""benchmarks/routing_eval.py and its metrics: known values, and the quick mode runs end to end."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import routing_eval  # noqa: E402
from routing_metrics import area_over_random, cost_quality_curve, recall_at_share, roc_auc, summarise  # noqa: E402


def test_auc_perfect_inverted_and_tied() -> None:
    assert roc_auc([0.1, 0.2, 0.8, 0.9], [False, False, True, True]) == 1.0
    assert roc_auc([0.9, 0.8, 0.2, 0.1], [False, False, True, True]) == 0.0
    assert roc_auc([0.5, 0.5, 0.5, 0.5], [False, True, False, True]) == 0.5


def test_cost_quality_curve_and_area() -> None:
    perfect = cost_quality_curve([0.9, 0.8, 0.1, 0.0], [True, True, False, False])
    assert perfect == [(0.0, 0.0), (0.25, 0.5), (0.5, 1.0), (0.75, 1.0), (1.0, 1.0)]
    assert area_over_random(perfect) == pytest.approx(0.25)
    tied = cost_quality_curve([0.5] * 4, [True, False, True, False])
    assert tied == [(0.0, 0.0), (1.0, 1.0)]  # a router that cannot tell prompts apart is random
    assert area_over_random(tied) == pytest.approx(0.0)
    assert recall_at_share([0.9, 0.8, 0.1, 0.0], [True, True, False, False], 0.5) == 1.0


def test_summary_counts() -> None:
    s = summarise([0.9, 0.2, 0.7, 0.1], [True, False, True, False], [True, True, False, False])
    assert (s.accuracy, s.cloud_recall, s.cloud_share) == (0.5, 0.5, 0.5)


def test_unseen_set_shape() -> None:
    rows = routing_eval.load()
    assert len(rows) >= 400
    assert sum(r["lang"] != "en" for r in rows) / len(rows) >= 0.4
    assert {"ja", "hi", "de", "fr", "es", "pt"} <= {r["lang"] for r in rows}
    assert all(r["label"] in ("local", "cloud") and r["reason"] for r in rows)
    assert any(r.get("prev") for r in rows)


def test_quick_mode_scores_every_router(capsys: pytest.CaptureFixture[str]) -> None:
    scored = routing_eval.main(["--quick"])
    out = capsys.readouterr().out
    for name in ("old-scorer", "length", "random"):
        assert f"| {name} |" in out
        assert len(scored[name]) == len(routing_eval.load()[::4])
    assert "cost-quality curve" in out and "per language" in out
