"""Vectors of passages, pure: the text an embedder reads for a passage, its hash (vectors are keyed by it, so an
unchanged passage keeps its vector), packing as normalised float32, and reciprocal rank fusion with BM25."""

from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Sequence

RRF_K = 60  # the usual constant of reciprocal rank fusion (Cormack et al. 2009): rank 1 scores 1/61


def embed_text(title: str, heading: Sequence[str], text: str) -> str:
    """What the embedder reads for a passage: where it is, then the passage."""
    place = " › ".join([title, *heading]) if title else " › ".join(heading)
    return f"{place}\n\n{text}" if place else text


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def pack(vector: Sequence[float]) -> bytes:
    """Unit length float32 (cosine distance is then 1 - dot product)."""
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return array("f", [x / norm for x in vector]).tobytes()


def unpack(blob: bytes) -> array:
    values = array("f")
    values.frombytes(blob)
    return values


def fuse(*rankings: Sequence[int], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each id scores sum(1 / (k + rank)) over the rankings it is in; best first
    (ties: the order of first appearance, BM25's first)."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
