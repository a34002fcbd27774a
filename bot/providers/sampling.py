"""Per-model generation settings: built-in defaults that suit the model's size, overridable in config.

Pure: no I/O. A tiny local model (≤ 1.5B parameters, judged from its name, like ``smollm2-135m`` or
``qwen2.5:0.5b``) samples at a fraction of the agent's temperature with a repetition penalty and a short
answer cap; it otherwise wanders off topic or loops. Every other model keeps the agent's temperature and its
provider's own sampling defaults. ``[generation.models."pattern"]`` entries in config override either.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TINY_MODEL_MAX_PARAMS = 1.5e9
# The parameter count in a model name: "135m", "0.5b", "1b"; not "q4_1", "gpt-4o" or the "7b" of "8x7b" alone.
_SIZE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)([mb])(?![a-z0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class Sampling:
    """Sampler knobs beyond temperature; None leaves the provider's own default."""

    top_p: float | None = None
    min_p: float | None = None
    repeat_penalty: float | None = None

    def options(self) -> dict[str, float]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass(frozen=True)
class GenerationProfile:
    """How one model generates. Fields left None inherit (the agent's temperature, the provider's default)."""

    temperature: float | None = None  # fixed temperature: replaces the agent's
    temperature_scale: float | None = None  # else the agent's temperature times this
    top_p: float | None = None
    min_p: float | None = None
    repeat_penalty: float | None = None
    max_tokens: int | None = None  # answer cap; the smaller of this and bot.max_answer_tokens applies

    def temperature_for(self, agent_temperature: float) -> float:
        if self.temperature is not None:
            return self.temperature
        return round(agent_temperature * (1.0 if self.temperature_scale is None else self.temperature_scale), 3)

    def max_tokens_for(self, requested: int | None) -> int | None:
        if self.max_tokens is None:
            return requested
        return self.max_tokens if requested is None else min(requested, self.max_tokens)

    def sampling(self) -> Sampling:
        return Sampling(top_p=self.top_p, min_p=self.min_p, repeat_penalty=self.repeat_penalty)

    def updated(self, changes: Mapping[str, Any]) -> GenerationProfile:
        given = {k: v for k, v in changes.items() if v is not None}
        if "temperature" in given:  # a fixed temperature set here wins over an inherited scale, and vice versa
            given.setdefault("temperature_scale", None)
        elif "temperature_scale" in given:
            given.setdefault("temperature", None)
        return dataclasses.replace(self, **given)


# Chosen before measuring, from SmolLM2's model card (temperature 0.2, top_p 0.9) and llama.cpp's classic
# repetition penalty; a 256-token cap keeps a wandering answer short. Not tuned on benchmarks/embedded_facts.py.
TINY_MODEL = GenerationProfile(temperature_scale=0.3, top_p=0.9, min_p=0.05, repeat_penalty=1.1, max_tokens=256)
DEFAULT = GenerationProfile()


def parameter_count(model: str) -> float | None:
    """The parameter count a model's name states (``smollm2-135m`` → 1.35e8), or None if it states none."""
    sizes = [float(n) * (1e6 if unit.lower() == "m" else 1e9) for n, unit in _SIZE.findall(model)]
    return max(sizes) if sizes else None


def builtin_profile(model: str) -> GenerationProfile:
    params = parameter_count(model)
    return TINY_MODEL if params is not None and params <= TINY_MODEL_MAX_PARAMS else DEFAULT


def matching_overrides(provider: str, model: str, patterns: list[str]) -> list[str]:
    """The config patterns that match this model, least specific first (so later ones win).

    A pattern matches ``provider:model`` or ``model`` (case-insensitive, shell-style ``*`` and ``?``).
    Specificity: globs (shorter first), then the exact model name, then the exact ``provider:model``.
    """
    ref, name = f"{provider}:{model}".lower(), model.lower()

    def rank(pattern: str) -> tuple[int, int]:
        p = pattern.lower()
        return (2 if p == ref else 1 if p == name else 0, len(p))

    hits = [p for p in patterns if fnmatch.fnmatchcase(ref, p.lower()) or fnmatch.fnmatchcase(name, p.lower())]
    return sorted(hits, key=rank)


def profile_for(provider: str, model: str, overrides: Mapping[str, Mapping[str, Any]]) -> GenerationProfile:
    """The built-in profile for this model, updated by every matching config entry in order of specificity."""
    profile = builtin_profile(model)
    for pattern in matching_overrides(provider, model, list(overrides)):
        profile = profile.updated(overrides[pattern])
    return profile
