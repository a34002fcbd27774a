"""The SSE decoder the OpenAI provider reads its stream with (bot/providers/sse.py)."""

from __future__ import annotations

import json

import pytest

from bot.providers.sse import DONE, SSEDecoder


def test_events_split_across_reads_come_out_whole() -> None:
    decoder = SSEDecoder()
    raw = b'data: {"a": 1}\n\ndata: {"b": "x y"}\n\ndata: [DONE]\n\n'
    events = []
    for i in range(0, len(raw), 3):  # three bytes per read: every boundary falls somewhere odd
        events += decoder.feed(raw[i : i + 3])
    assert events == [{"a": 1}, {"b": "x y"}, DONE]


def test_one_read_with_many_events_gives_them_all_in_order() -> None:
    raw = b"".join(b"data: " + json.dumps({"n": n}).encode() + b"\n\n" for n in range(20))
    assert SSEDecoder().feed(raw) == [{"n": n} for n in range(20)]


def test_crlf_comments_and_other_fields_are_handled() -> None:
    raw = b': keep-alive\r\nevent: message\r\nid: 7\r\ndata:{"ok": true}\r\n\r\n'
    assert SSEDecoder().feed(raw) == [{"ok": True}]


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert SSEDecoder().feed(b'data: {"a":\ndata: 2}\n\n') == [{"a": 2}]


def test_an_event_without_its_blank_line_is_finished_at_the_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"last": 1}') == []
    assert decoder.finish() == [{"last": 1}]
    assert decoder.finish() == []


def test_malformed_json_raises() -> None:
    with pytest.raises(ValueError):
        SSEDecoder().feed(b"data: {not json\n\n")


def test_events_read_together_parse_as_each_would_alone() -> None:
    """One read's events are parsed as one JSON array; any event that is not one JSON value alone still raises."""
    raw = b'data: {"a": [1, 2]}\n\ndata: "s,t"\n\ndata: [DONE]\n\ndata: 3\n\n'
    assert SSEDecoder().feed(raw) == [{"a": [1, 2]}, "s,t", DONE, 3]
    for glued in (b"data: 1, 2\n\ndata: 3\n\n", b'data: {"a": 1\n\ndata: "b": 2}\n\n'):
        with pytest.raises(ValueError):
            SSEDecoder().feed(glued)
