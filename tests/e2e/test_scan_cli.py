"""`hybridbot scan` as teams use it: a subprocess reading a chat export, writing findings only."""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

ROOT = Path(__file__).resolve().parents[2]
_rng = random.Random(5)
AWS_KEY = "AKIA" + "".join(_rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
PASSWORD = "Zq" + "".join(_rng.choice(string.ascii_letters + string.digits) for _ in range(10)) + "!"


def run_scan(*args: str, stdin: bytes = b"", cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OLLAMA_", "HYBRIDBOT_"))}
    # A broken config must not stop a scan: it needs no configuration.
    env |= {"PYTHONPATH": str(ROOT), "HYBRIDBOT_CONFIG": str(cwd / "missing.toml")}
    return subprocess.run(
        [sys.executable, "-m", "hybridbot_app.cli", "scan", *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_scan_jsonl_from_stdin_reports_kinds_and_offsets_never_text(tmp_path: Path) -> None:
    records = [
        {"id": "m1", "text": "lunch at noon?"},
        {"id": "m2", "text": f"prod creds: aws_access_key_id={AWS_KEY}"},
        {"id": 3, "text": f"my password is {PASSWORD}\nand mail me at jane.doe@acme-corp.io"},
    ]
    stdin = "".join(json.dumps(r) + "\n" for r in records).encode()
    proc = run_scan(stdin=stdin, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert AWS_KEY not in out and PASSWORD not in out and "jane.doe" not in out
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["m1", "m2", 3]
    assert [r["sensitive"] for r in rows] == [False, True, True]
    assert rows[0]["findings"] == []
    (aws,) = rows[1]["findings"]
    assert aws["kind"] == "aws_access_key" and records[1]["text"][aws["start"] : aws["end"]] == AWS_KEY
    kinds = {f["kind"]: records[2]["text"][f["start"] : f["end"]] for f in rows[2]["findings"]}
    assert kinds == {"password": PASSWORD, "email": "jane.doe@acme-corp.io"}
    assert "3 record(s): 2 sensitive" in proc.stderr.decode()


def test_scan_plain_text_file_with_invalid_utf8_and_a_bad_json_line(tmp_path: Path) -> None:
    export = tmp_path / "export.txt"
    export.write_bytes(
        b"hello team\n"
        b"broken \xff\xfe bytes then token " + AWS_KEY.encode() + b"\n"
        b'{"id": 7, "text": oops}\n'
        b"\n"
        b"call me at (415) 555-2671\n"
    )
    proc = run_scan(str(export), cwd=tmp_path)
    assert proc.returncode == 1  # one unreadable record
    out = proc.stdout.decode()
    assert AWS_KEY not in out and "555-2671" not in out
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3, 5]  # ids are line numbers; the blank line is skipped
    assert rows[0]["sensitive"] is False
    assert [f["kind"] for f in rows[1]["findings"]] == ["aws_access_key"]
    assert "error" in rows[2] and "JSON" in rows[2]["error"]
    assert [f["kind"] for f in rows[3]["findings"]] == ["phone"]


def test_scan_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    proc = run_scan(str(tmp_path / "nope.jsonl"), cwd=tmp_path)
    assert proc.returncode == 1
    assert "cannot read" in proc.stderr.decode() and proc.stdout == b""
