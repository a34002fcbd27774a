"""`hybridbot scan` streaming: batches, worker processes, order and counts."""

from __future__ import annotations

import io
import json

import pytest

from bot import scan_export

LINES = [
    json.dumps({"id": i, "text": text}).encode() + b"\n"
    for i, text in enumerate(
        ["lunch at noon?", "Mi DNI es 48392017V", "my password is Tr0ub4dor&3", "not json {", "ok 👍"] * 7
    )
]


def scan(jobs: int) -> tuple[str, tuple[int, int, int]]:
    out = io.StringIO()
    totals = scan_export.scan_lines(iter(LINES), out, jobs=jobs)
    return out.getvalue(), totals


def test_worker_processes_write_the_same_lines_in_input_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_export, "BATCH_LINES", 3)  # many batches, several in flight at once
    sequential, totals = scan(jobs=1)
    parallel, parallel_totals = scan(jobs=2)
    assert parallel == sequential and parallel_totals == totals == (35, 14, 0)
    assert [json.loads(line)["id"] for line in sequential.splitlines()] == list(range(35))


def test_batches_are_read_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_export, "BATCH_LINES", 2)
    read = []

    def lines():
        for line in LINES:
            read.append(line)
            yield line

    batches = scan_export._batches(lines())
    next(batches)
    assert len(read) == 2  # one batch in memory, not the whole export
