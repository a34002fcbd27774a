"""sqlite-vec's `vec_distance_cosine` and the Python distance used where extensions can't load rank passages the
same. This venv's Python may be built without extension loading; the check then runs under another Python 3 of
the same minor version that has it (the system one here), with this venv's packages."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import json, random
from bot.knowledge.chunking import Chunk
from bot.store import Store
from bot.store_knowledge import SqliteKnowledgeIndex
from bot.store_knowledge_vectors import SqliteVectorIndex, _cosine_distance
from tests.fakes.openai_server import hashed_embedding

store = Store(":memory:")
index, vectors = SqliteKnowledgeIndex(store.conn), SqliteVectorIndex(store.conn)
rng = random.Random(5)
words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho".split()
chunks = [Chunk(" ".join(rng.choice(words) for _ in range(12)), ("H",), None, n) for n in range(300)]
index.replace_document("c", "d.md", title="D", kind="markdown", content_hash="h", size=1, mtime=0.0, notes=(),
                       chunks=chunks)
rows = vectors.missing("c", "s", 1000)
vectors.put("s", [(digest, hashed_embedding(text)) for _, digest, text in rows])
query = hashed_embedding("gamma delta delta rho")
first = vectors.nearest("s", query, ["c"], 20)
store.conn.create_function("vec_distance_cosine", 2, _cosine_distance, deterministic=True)
second = vectors.nearest("s", query, ["c"], 20)
print(json.dumps({"backend": vectors.backend, "sqlite_vec": first, "python": second}))
"""


def _python_with_extensions() -> str | None:
    if hasattr(sqlite3.connect(":memory:"), "enable_load_extension"):
        return sys.executable
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (f"/usr/bin/{version}", shutil.which(version)):
        if candidate and Path(candidate).exists():
            probe = "import sqlite3; sqlite3.connect(':memory:').enable_load_extension(True)"
            if subprocess.run([candidate, "-c", probe], capture_output=True).returncode == 0:
                return candidate
    return None


def test_sqlite_vec_and_the_python_fallback_rank_the_same() -> None:
    python = _python_with_extensions()
    if python is None:
        pytest.skip("no Python 3 of this version here can load SQLite extensions")
    env = {"PYTHONPATH": f"{ROOT}:{sysconfig.get_paths()['purelib']}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([python, "-c", SCRIPT], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["backend"] == "sqlite-vec"
    assert len(result["sqlite_vec"]) == 20
    # the same passages (equal distances may come in either order)
    assert set(result["sqlite_vec"]) == set(result["python"])
