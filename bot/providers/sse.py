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
        events = []
        for line in lines:
            line = line.removesuffix(b"\r")
            if not line:  # a blank line ends an event
                if self._data:
                    events.append(self._payload())
            elif line.startswith(b"data:"):
                self._data.append(line[6:] if line.startswith(b"data: ") else line[5:])
            # comments (":"), "event:", "id:" and "retry:" lines carry nothing a chat stream needs
        return events

    def finish(self) -> list[Any]:
        """The last event when the body ended without its blank line."""
        leftover = self.feed(b"\n\n") if self._buffer or self._data else []
        return leftover

    def _payload(self) -> Any:
        data = b"\n".join(self._data)
        self._data = []
        if data.strip() == b"[DONE]":
            return DONE
        return json.loads(data)
