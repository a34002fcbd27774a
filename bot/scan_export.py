"""`hybridbot scan`: run the privacy detector over text or JSON lines, write findings as JSON lines.

Input, one record per line (from a file or stdin): plain text, or JSON objects
``{"id": …, "text": …}``. Output, one line per record:
``{"id": …, "sensitive": bool, "findings": [{"kind": …, "start": …, "end": …}]}`` — offsets are
code points into the text (the decoded JSON ``text`` value, or the line without its newline).
Only kinds and offsets are written, never the text. Invalid UTF-8 is decoded with U+FFFD
replacements (offsets then refer to the decoded text); a malformed JSON line yields
``{"id": <line number>, "error": …}`` and the scan carries on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from bot import privacy


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
    except ValueError as exc:
        return {"id": lineno, "error": f"not valid JSON ({exc.msg} at column {exc.colno})"}
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return {"id": lineno, "error": 'expected an object with a string "text" field'}
    return scan_record(obj.get("id", lineno), obj["text"])


def scan_lines(lines: Iterable[bytes], out: IO[str], *, fmt: str = "auto") -> tuple[int, int, int]:
    """Scan every line; returns (records, sensitive, errors)."""
    records = sensitive = errors = 0
    for lineno, raw in enumerate(lines, start=1):
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line.strip() and fmt != "text":
            continue
        result = _record(lineno, line, fmt)
        records += 1
        errors += "error" in result
        sensitive += bool(result.get("sensitive"))
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return records, sensitive, errors
