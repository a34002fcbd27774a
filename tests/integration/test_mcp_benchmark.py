"""benchmarks/mcp_roundtrip.py --quick runs against a real FastMCP server and exits 0 quickly."""

import asyncio
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "mcp_roundtrip.py"


async def test_the_mcp_round_trip_benchmark_quick_mode_runs():
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(SCRIPT), "--quick", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    text = out.decode()
    assert "runner  p50" in text and "a hung tool with timeout 0.3 s cost 0.3" in text
    assert time.perf_counter() - started < 30
