"""The SDK's retry rules, kept by the aiohttp chat stream (bot/providers/openai_stream.py). Pure parts."""

from __future__ import annotations

import pytest

from bot.providers.openai_stream import StreamFailure, sdk_backoff, should_retry


def test_backoff_takes_a_sensible_retry_after_else_doubles_with_jitter_up_to_8_s() -> None:
    assert sdk_backoff(0, 2.5) == 2.5
    for attempt, full in ((0, 0.5), (1, 1.0), (2, 2.0), (5, 8.0), (9, 8.0)):
        for retry_after in (None, 0.0, 61.0):  # absent, zero or over a minute: the SDK's own backoff
            assert full * 0.75 <= sdk_backoff(attempt, retry_after) <= full


@pytest.mark.parametrize(
    ("failure", "retried"),
    [
        (StreamFailure("status", "", 503), True),
        (StreamFailure("status", "", 500), True),
        (StreamFailure("status", "", 429), True),
        (StreamFailure("status", "", 409), True),
        (StreamFailure("status", "", 408), True),
        (StreamFailure("status", "", 400), False),
        (StreamFailure("status", "", 401), False),
        (StreamFailure("status", "", 404), False),
        (StreamFailure("timeout", ""), True),
        (StreamFailure("connection", ""), True),
        (StreamFailure("status", "", 503, {"x-should-retry": "false"}), False),
        (StreamFailure("status", "", 400, {"x-should-retry": "true"}), True),
    ],
)
def test_what_is_retried(failure: StreamFailure, retried: bool) -> None:
    assert should_retry(failure) is retried
