"""Pure metrics for routing evaluations: accuracy, ROC AUC, the cost-quality curve.

A router gives each prompt a score (higher = more likely to need the cloud) and a decision
(score >= its threshold). Labels are "cloud" or "local". No third-party dependency, so the
evaluation runs wherever the bot runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    n: int
    accuracy: float
    cloud_recall: float  # share of cloud-needing prompts sent to the cloud
    cloud_share: float  # share of all prompts sent to the cloud
    auc: float
    area_over_random: float  # area between the cost-quality curve and the diagonal


def roc_auc(scores: Sequence[float], positives: Sequence[bool]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):  # average ranks over ties
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    n_pos = sum(positives)
    n_neg = len(positives) - n_pos
    if not n_pos or not n_neg:
        return float("nan")
    rank_sum = sum(r for r, p in zip(ranks, positives, strict=True) if p)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def cost_quality_curve(scores: Sequence[float], positives: Sequence[bool]) -> list[tuple[float, float]]:
    """Points (share of prompts sent to the cloud, share of cloud-needing prompts served by it).

    Prompts go to the cloud in descending score order; tied scores move together, so the curve
    is a straight line across a tie, as for a router that cannot tell them apart.
    """
    n, n_pos = len(scores), sum(positives)
    if not n or not n_pos:
        return [(0.0, 0.0), (1.0, 1.0)]
    pairs = sorted(zip(scores, positives, strict=True), key=lambda sp: -sp[0])
    points = [(0.0, 0.0)]
    served = 0
    for i, (score, positive) in enumerate(pairs):
        served += positive
        if i + 1 == n or pairs[i + 1][0] != score:
            points.append(((i + 1) / n, served / n_pos))
    return points


def area_over_random(points: Sequence[tuple[float, float]]) -> float:
    """Trapezoid area under the curve minus the 0.5 that random routing gets."""
    area = sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False))
    return area - 0.5


def summarise(scores: Sequence[float], decisions: Sequence[bool], positives: Sequence[bool]) -> Summary:
    n = len(scores)
    n_pos = sum(positives)
    correct = sum(d == p for d, p in zip(decisions, positives, strict=True))
    hits = sum(d and p for d, p in zip(decisions, positives, strict=True))
    return Summary(
        n=n,
        accuracy=correct / n if n else float("nan"),
        cloud_recall=hits / n_pos if n_pos else float("nan"),
        cloud_share=sum(decisions) / n if n else float("nan"),
        auc=roc_auc(scores, positives),
        area_over_random=area_over_random(cost_quality_curve(scores, positives)),
    )


def recall_at_share(scores: Sequence[float], positives: Sequence[bool], share: float) -> float:
    """Cloud recall when at most ``share`` of prompts may go to the cloud (best threshold)."""
    best = 0.0
    for x, y in cost_quality_curve(scores, positives):
        if x <= share + 1e-9:
            best = max(best, y)
    return best
