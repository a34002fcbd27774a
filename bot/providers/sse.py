"""Server-sent events, decoded incrementally from raw bytes into JSON payloads. Pure logic, no I/O.

The OpenAI provider reads its stream through this rather than the SDK's per-chunk models: building a
pydantic object for every token was most of the CPU an answer cost (see README, Benchmarks).
"""

from __future__ import annotations

import json
from typing import Any

DONE = object()  # the "[DONE]" sentinel OpenAI-compatible servers send last


class SSEDecoder:
    """Feed network reads; get back the events completed so far: parsed JSON payloads, or DONE."""

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[bytes] = []

    def feed(self, raw: bytes) -> list[Any]:
        self._buffer += raw
        *lines, self._buffer = self._buffer.split(b"\n")
        payloads = []
        for line in lines:
            line = line.removesuffix(b"\r")
            if not line:  # a blank line ends an event
                if self._data:
                    payloads.append(b"\n".join(self._data))
                    self._data = []
            elif line.startswith(b"data:"):
                self._data.append(line[6:] if line.startswith(b"data: ") else line[5:])
            # comments (":"), "event:", "id:" and "retry:" lines carry nothing a chat stream needs
        return _parse(payloads) if payloads else []

    def finish(self) -> list[Any]:
        """The last event when the body ended without its blank line."""
        leftover = self.feed(b"\n\n") if self._buffer or self._data else []
        return leftover


def _parse(payloads: list[bytes]) -> list[Any]:
    """The events' JSON values, and DONE for "[DONE]"."""
    events: list[Any] = []
    batch: list[bytes] = []
    for data in payloads:
        if data.strip() == b"[DONE]":
            events += _loads_all(batch)
            events.append(DONE)
            batch = []
        else:
            batch.append(data)
    return events + _loads_all(batch)


def _loads_all(batch: list[bytes]) -> list[Any]:
    """Events read together are parsed in one call (as one JSON array: about a third of the CPU per event);
    when that does not give exactly one value per event, each is parsed alone (and a malformed one raises)."""
    if len(batch) > 1:
        try:
            values = json.loads(b"[" + b",".join(batch) + b"]")
        except ValueError:
            values = None
        if isinstance(values, list) and len(values) == len(batch):
            return values
    return [json.loads(data.decode()) for data in batch]
