"""`hybridbot scan`: run the privacy detector over text or JSON lines, write findings as JSON lines.

Input, one record per line (from a file or stdin): plain text, or JSON objects
``{"id": …, "text": …}``. Output, one line per record:
``{"id": …, "sensitive": bool, "findings": [{"kind": …, "start": …, "end": …}]}`` — offsets are
code points into the text (the decoded JSON ``text`` value, or the line without its newline).
Only kinds and offsets are written, never the text. Invalid UTF-8 is decoded with U+FFFD
replacements (offsets then refer to the decoded text); a malformed JSON line yields
``{"id": <line number>, "error": …}`` and the scan carries on.

Streamed: lines are read in batches and at most ``2 × jobs`` batches are in flight, so memory stays
flat whatever the size of the export; with ``jobs > 1`` the batches are scanned in worker processes
and written in input order.
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import IO, Any

from bot import privacy

BATCH_LINES = 2000


def scan_record(record_id: Any, text: str) -> dict[str, Any]:
    findings = [f for f in privacy.scan(text) if f.confidence >= privacy.SENSITIVE_THRESHOLD]
    return {
        "id": record_id,
        "sensitive": bool(findings),
        "findings": [{"kind": f.kind, "start": f.start, "end": f.end} for f in findings],
    }


def _record(lineno: int, line: str, fmt: str) -> dict[str, Any]:
    if fmt == "text" or (fmt == "auto" and not line.lstrip().startswith("{")):
        return scan_record(lineno, line)
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": lineno, "error": f"not valid JSON ({exc.msg} at column {exc.colno})"}
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return {"id": lineno, "error": 'expected an object with a string "text" field'}
    return scan_record(obj.get("id", lineno), obj["text"])


def _scan_batch(batch: list[tuple[int, bytes]], fmt: str) -> tuple[str, int, int, int]:
    """Output lines for a batch, and its (records, sensitive, errors) counts."""
    out: list[str] = []
    records = sensitive = errors = 0
    for lineno, raw in batch:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line.strip() and fmt != "text":
            continue
        result = _record(lineno, line, fmt)
        records += 1
        errors += "error" in result
        sensitive += bool(result.get("sensitive"))
        out.append(_dumps(result))
    return "".join(out), records, sensitive, errors


_CLEAN_TAIL = ', "sensitive": false, "findings": []}\n'


def _dumps(result: dict[str, Any]) -> str:
    """``json.dumps(result, ensure_ascii=False)`` and a newline; most records have no findings, and
    their line is written from a template (the same text, without walking the dict)."""
    if result.get("sensitive") is False and not result["findings"]:
        record_id = result["id"]
        as_json = str(record_id) if type(record_id) is int else json.dumps(record_id, ensure_ascii=False)
        return '{"id": ' + as_json + _CLEAN_TAIL
    return json.dumps(result, ensure_ascii=False) + "\n"


def _batches(lines: Iterable[bytes]) -> Iterator[list[tuple[int, bytes]]]:
    numbered = enumerate(lines, start=1)
    while batch := list(itertools.islice(numbered, BATCH_LINES)):
        yield batch


def scan_lines(lines: Iterable[bytes], out: IO[str], *, fmt: str = "auto", jobs: int = 1) -> tuple[int, int, int]:
    """Scan every line; returns (records, sensitive, errors)."""
    totals = [0, 0, 0]

    def write(result: tuple[str, int, int, int]) -> None:
        out.write(result[0])
        for i, n in enumerate(result[1:]):
            totals[i] += n

    batches = _batches(lines)
    first = next(batches, [])
    second = next(batches, None)
    if jobs <= 1 or second is None:  # one batch: starting worker processes would cost more than it saves
        for batch in itertools.chain([first], [second] if second else [], batches):
            write(_scan_batch(batch, fmt))
        return totals[0], totals[1], totals[2]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[Future[tuple[str, int, int, int]]] = deque()
        for batch in itertools.chain([first, second], batches):
            pending.append(pool.submit(_scan_batch, batch, fmt))
            if len(pending) >= 2 * jobs:  # bounded: the reader never runs far ahead of the writer
                write(pending.popleft().result())
        while pending:
            write(pending.popleft().result())
    return totals[0], totals[1], totals[2]
