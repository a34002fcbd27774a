"""Layered settings: workspace → channel → thread → user; the most specific layer wins.

Every effective value says where it came from, so `/model` and `/agent` can tell users why.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.session import SessionKey
from bot.store import Store

LAYERS = ("workspace", "channel", "thread", "user")  # least to most specific
SCOPE_WORDS = {  # what users type → layer
    "workspace": "workspace",
    "server": "workspace",
    "channel": "channel",
    "thread": "thread",
    "here": "here",
    "me": "user",
    "user": "user",
    "mine": "user",
}
SOURCE_LABEL = {
    "workspace": "set for the whole workspace",
    "channel": "set for this channel",
    "thread": "set for this thread",
    "user": "your personal setting",
}


@dataclass(frozen=True)
class Effective:
    value: str
    layer: str  # one of LAYERS, or "default"

    @property
    def source(self) -> str:
        return SOURCE_LABEL.get(self.layer, "the default")


def layer_for_here(key: SessionKey) -> str:
    return "thread" if key.thread else "channel"


def scopes(key: SessionKey, user_id: str) -> dict[str, str]:
    layers = {layer: key.scope(layer, user_id) for layer in LAYERS}
    if not key.thread:
        layers.pop("thread")
    return layers


def effective(store: Store, key: SessionKey, user_id: str, name: str, default: str) -> Effective:
    by_layer = scopes(key, user_id)
    found = store.settings_for(list(by_layer.values()), name)
    for layer in reversed(LAYERS):
        scope = by_layer.get(layer)
        if scope in found:
            return Effective(found[scope], layer)
    return Effective(default, "default")
