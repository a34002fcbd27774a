"""`hybridbot kb index|list|search|remove` in-process on a real database: incremental re-index by content hash,
deletions followed, broken files reported, unknown names refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hybridbot_app.cli import main
from tests.fakes.documents import make_pdf


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "guide.md").write_text("# Guide\n\n## Setup\n\nRun the installer twice.\n")
    (docs / "sub" / "faq.rst").write_text("FAQ\n===\n\nWhy?\n----\n\nBecause the moon is made of cheese.\n")
    (docs / "policies.pdf").write_bytes(
        make_pdf(["Refunds take fourteen days.", "Shipping is free."], title="Policies")
    )
    (docs / ".hidden.md").write_text("never indexed")
    path = tmp_path / "hybridbot.toml"
    path.write_text(
        f'[bot]\ndatabase = "{tmp_path / "bot.db"}"\n[embedded]\nenabled = false\n'
        f'[[knowledge.collections]]\nname = "docs"\npaths = ["{docs}"]\nprivacy = "cloud-ok"\n'
    )
    for var in ("HYBRIDBOT_CONFIG", "HYBRIDBOT_DATABASE"):
        monkeypatch.delenv(var, raising=False)
    return path


def kb(config: Path, *args: str) -> int:
    return main(["--config", str(config), "kb", *args])


def test_index_list_search_and_remove(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kb(config, "index") == 0
    out = capsys.readouterr().out
    assert "docs: 3 added, 0 updated, 0 unchanged, 0 removed; 4 passages" in out
    assert kb(config, "list") == 0
    out = capsys.readouterr().out
    assert "docs [cloud-ok] — 3 documents, 4 passages" in out and "channels: every channel" in out
    assert kb(config, "search", "how long do refunds take") == 0
    out = capsys.readouterr().out
    assert out.startswith("[1] Policies — ") and "policies.pdf, page 1" in out and "fourteen days" in out
    assert kb(config, "search", "moon cheese", "-c", "docs", "-k", "1") == 0
    assert "faq.rst § FAQ, line 1" in capsys.readouterr().out
    assert kb(config, "remove", "docs") == 0
    assert "Removed 3 documents of docs" in capsys.readouterr().out
    assert kb(config, "search", "moon cheese") == 0
    assert "No passages found." in capsys.readouterr().out


def test_reindex_reads_only_what_changed_and_follows_deletions(config: Path, capsys) -> None:  # noqa: ANN001
    docs = config.parent / "docs"
    kb(config, "index")
    capsys.readouterr()
    assert kb(config, "index") == 0
    assert "0 added, 0 updated, 3 unchanged, 0 removed; 0 passages from 0.0 MB" in capsys.readouterr().out
    guide = docs / "guide.md"
    stat = guide.stat()
    os.utime(guide, (stat.st_atime, stat.st_mtime + 5))  # touched, same content: hashed, not re-read
    guide.with_name("new.md").write_text("# New\n\nA brand new page about penguins.\n")
    (docs / "sub" / "faq.rst").write_text("FAQ\n===\n\nThe moon is made of rock.\n")
    (docs / "policies.pdf").unlink()
    assert kb(config, "index") == 0
    assert "docs: 1 added, 1 updated, 1 unchanged, 1 removed" in capsys.readouterr().out
    kb(config, "search", "moon")
    out = capsys.readouterr().out
    assert "rock" in out and "cheese" not in out
    kb(config, "search", "refunds")
    assert "No passages found." in capsys.readouterr().out
    kb(config, "search", "penguins")
    assert "new.md" in capsys.readouterr().out


def test_broken_and_unsupported_files_are_reported_and_keep_their_previous_version(config: Path, capsys) -> None:  # noqa: ANN001
    docs = config.parent / "docs"
    kb(config, "index")
    capsys.readouterr()
    (docs / "policies.pdf").write_bytes(b"%PDF-1.4 broken")
    (docs / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert kb(config, "index") == 1
    out = capsys.readouterr().out
    assert "skipped" in out and "policies.pdf: this PDF is damaged" in out and "photo.png" in out
    kb(config, "search", "refunds")
    assert "fourteen days" in capsys.readouterr().out  # the last good version is still searchable


def test_unknown_collections_and_missing_folders_are_named(config: Path, capsys) -> None:  # noqa: ANN001
    assert kb(config, "index", "nope") == 1
    assert "no collection named nope. Configured: docs" in capsys.readouterr().err
    kb(config, "index")
    capsys.readouterr()
    docs = config.parent / "docs"
    docs.rename(config.parent / "elsewhere")  # an unmounted share must not empty the index
    assert kb(config, "index") == 1
    out = capsys.readouterr().out
    assert "no such file or folder (nothing was removed because of it)" in out and "0 removed" in out


def test_bad_collection_config_fails_at_start_naming_the_key(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "bad.toml"
    path.write_text('[[knowledge.collections]]\nname = "x"\npaths = ["d"]\nprivacy = "secret"\nchanel = ["C1"]\n')
    assert main(["--config", str(path), "kb", "list"]) == 2
    err = capsys.readouterr().err
    assert "knowledge.collections[0].privacy" in err and "'knowledge.collections[0].chanel' is not a setting" in err
    assert "Did you mean 'channels'?" in err


def test_index_embeds_with_a_configured_embedder_and_reuses_vectors(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess
    import sys

    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.ollama_server", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        host = server.stdout.readline().strip() if server.stdout else ""
        assert host.startswith("http://127.0.0.1:")
        text = config.read_text().replace("[embedded]", f'[ollama]\nhost = "{host}"\n[embedded]')
        config.write_text(text + '[knowledge.embedder]\nprovider = "ollama"\nmodel = "nomic-embed-text"\n')
        assert kb(config, "index") == 0
        assert "vectors: docs: 4 passages embedded" in capsys.readouterr().out
        (config.parent / "docs" / "guide.md").write_text("# Guide\n\n## Setup\n\nRun the installer once.\n")
        assert kb(config, "index") == 0
        assert "vectors: docs: 1 passage embedded" in capsys.readouterr().out  # only the changed passage
        assert kb(config, "search", "how long do refunds take") == 0
        assert capsys.readouterr().out.startswith("[1] Policies — ")
    finally:
        server.terminate()
        server.wait(timeout=5)
