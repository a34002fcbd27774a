"""`hybridbot route tune`: refit the router's calibration per workspace from the team's feedback.

Reads the routing labels (bot/routing_labels.py: 👎/🔁/👍 on local answers), refits the Platt
scaling towards the shipped one, prints before/after on the labels and on the unseen evaluation
set (when the repository's benchmarks/ folder is present), and stores the result as the
workspace's calibration, which the engine uses from the next turn on.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bot.config import RoutingConfig
from bot.difficulty import threshold
from bot.routing_labels import CALIBRATION_KEY, calibration_scope, fit_calibration, log_loss
from bot.routing_model import Previous, RoutingModel, load_default
from bot.store import Store
from bot.store_routing_labels import routing_labels

UNSEEN = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "routing_unseen.jsonl"


def unseen_figures(
    model: RoutingModel, calibration: tuple[float, float], cut: float, path: Path = UNSEEN
) -> tuple[float, float, float] | None:
    """(accuracy, cloud recall, share to cloud) on the unseen set, or None when it is absent."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    hits = correct = sent = positives = 0
    for row in rows:
        previous = Previous(text=row["prev"]["text"]) if row.get("prev") else None
        cloud = model.score(row["text"], previous, calibration=calibration).probability >= cut
        needed = row["label"] == "cloud"
        sent += cloud
        positives += needed
        hits += cloud and needed
        correct += cloud == needed
    return correct / len(rows), hits / max(1, positives), sent / len(rows)


def tune(
    store: Store,
    config: RoutingConfig,
    *,
    workspace: str | None = None,
    min_labels: int = 20,
    dry_run: bool = False,
    out: Callable[[str], None] = print,
    unseen: Path = UNSEEN,
) -> int:
    labels = routing_labels(store, workspace)
    if not labels:
        out("No routing labels yet: they come from 👎, 🔁 and 👍 on answers a local model gave.")
        return 1
    model = load_default()
    cut = threshold(config, model)
    status = 0
    for ws in sorted({label.workspace for label in labels}):
        mine = [label for label in labels if label.workspace == ws]
        kinds = Counter(f"{label.source}→{label.label}" for label in mine)
        out(
            f"workspace {ws or '(none)'}: {len(mine)} labels ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})"
        )
        if len(mine) < min_labels:
            out(f"  fewer than {min_labels} labels: calibration left as it is (use --min-labels to change)")
            status = 1
            continue
        pairs = [(label.raw, label.label == "cloud") for label in mine]
        before, after = model.calibration, fit_calibration(pairs, model.calibration)
        out(f"  calibration a, b: {before[0]:.3f}, {before[1]:.3f} → {after[0]:.3f}, {after[1]:.3f}")
        out(f"  log-loss on these labels: {log_loss(pairs, before):.3f} → {log_loss(pairs, after):.3f}")
        for name, figures in (
            ("before", unseen_figures(model, before, cut, unseen)),
            ("after", unseen_figures(model, after, cut, unseen)),
        ):
            if figures is None:
                out("  unseen set not found (run from a repository checkout to see it)")
                break
            out(
                f"  unseen set {name}: accuracy {figures[0]:.3f}, cloud recall {figures[1]:.3f}, to cloud {figures[2]:.1%}"
            )
        if not dry_run:
            store.set_setting(calibration_scope(ws), CALIBRATION_KEY, json.dumps(after), set_by="hybridbot route tune")
            out("  saved: this workspace's turns use it from now on")
    return status


def reset(store: Store, workspace: str) -> bool:
    return store.delete_setting(calibration_scope(workspace), CALIBRATION_KEY)
