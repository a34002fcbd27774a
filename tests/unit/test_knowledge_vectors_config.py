"""`[knowledge.embedder]` checked at start-up, which collections an embedder may read, and rank fusion."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.knowledge.config import CollectionConfig, may_embed
from bot.knowledge.vectors import RRF_K, embed_text, fuse, pack, text_hash, unpack

COLLECTIONS = (
    '[[knowledge.collections]]\nname = "secret"\npaths = ["x"]\nprivacy = "local-only"\n{extra}'
    '[[knowledge.collections]]\nname = "open"\npaths = ["y"]\nprivacy = "cloud-ok"\n'
)


def load(tmp_path: Path, toml: str) -> object:
    path = tmp_path / "hybridbot.toml"
    path.write_text(toml)
    return load_settings(path, env={})


def test_a_cloud_embedder_required_on_a_local_only_collection_fails_naming_the_key(tmp_path) -> None:
    toml = '[knowledge.embedder]\nprovider = "openai"\nmodel = "text-embedding-3-small"\n'
    with pytest.raises(ConfigError) as error:
        load(tmp_path, toml + COLLECTIONS.format(extra="vectors = true\n"))
    assert "knowledge.collections[0].vectors" in str(error.value) and "cloud" in str(error.value)
    settings = load(tmp_path, toml + COLLECTIONS.format(extra=""))  # unset: skipped, not refused
    assert settings.knowledge.embedder.model == "text-embedding-3-small"


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('provider = "openai"\nmodel = "m"\nlocality = "local"\n', "knowledge.embedder.locality"),
        ('provider = "nowhere"\nmodel = "m"\n', "knowledge.embedder.provider"),
        ('provider = "ollama"\nmodel = "m"\nbatch = 0\n', "knowledge.embedder.batch"),
        ('provider = "ollama"\nmodel = "m"\nmodle = "x"\n', "Did you mean 'model'"),
    ],
)
def test_bad_embedder_settings_fail_at_start_up_naming_the_key(tmp_path, toml, named) -> None:
    with pytest.raises(ConfigError) as error:
        load(tmp_path, "[knowledge.embedder]\n" + toml)
    assert named in str(error.value)


def test_vectors_without_an_embedder_fail_at_start_up(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"knowledge.collections\[0\].vectors: no \[knowledge.embedder\]"):
        load(tmp_path, COLLECTIONS.format(extra="vectors = true\n"))


def test_an_endpoint_embedder_takes_the_endpoints_locality_and_openai_can_be_local(tmp_path) -> None:
    settings = load(
        tmp_path,
        '[openai]\nlocality = "local"\n[knowledge.embedder]\nprovider = "openai"\nmodel = "m"\nlocality = "local"\n'
        + COLLECTIONS.format(extra="vectors = true\n"),
    )
    assert settings.knowledge.collections[0].vectors is True


@pytest.mark.parametrize(
    ("privacy", "vectors", "local", "cloud"),
    [
        ("local-only", None, True, False),
        ("standard", None, True, False),
        ("cloud-ok", None, True, True),
        ("cloud-ok", False, False, False),
    ],
)
def test_which_collections_an_embedder_may_read(privacy, vectors, local, cloud) -> None:
    collection = CollectionConfig(name="c", paths=["x"], privacy=privacy, vectors=vectors)
    assert may_embed(collection, "local") is local and may_embed(collection, "cloud") is cloud


def test_reciprocal_rank_fusion_rewards_agreement_and_keeps_single_list_items() -> None:
    fused = dict(fuse([1, 2, 3], [3, 4]))
    assert fused[3] == pytest.approx(1 / (RRF_K + 3) + 1 / (RRF_K + 1))
    assert fused[1] == pytest.approx(1 / (RRF_K + 1)) and 4 in fused
    assert [i for i, _ in fuse([1, 2, 3], [3, 4])][:2] == [3, 1]


def test_vectors_are_packed_unit_length_and_keyed_by_the_text_an_embedder_reads() -> None:
    values = unpack(pack([3.0, 4.0]))
    assert list(values) == pytest.approx([0.6, 0.8])
    text = embed_text("Handbook", ("Leave", "Holidays"), "30 days")
    assert text == "Handbook › Leave › Holidays\n\n30 days"
    assert text_hash(text) == text_hash(text) != text_hash(embed_text("Handbook", ("Leave",), "30 days"))
