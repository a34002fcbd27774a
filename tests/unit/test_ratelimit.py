"""Sliding-window turn limits: parsing tiers, windows sliding, refusals that say when to come back."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from bot.ratelimit import SlidingWindowLimiter, Tier, TurnLimits, parse_tier, parse_tiers


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("10/minute", Tier(10, 60)),
        ("100/hour", Tier(100, 3600)),
        ("1000/day", Tier(1000, 86400)),
        ("5/30s", Tier(5, 30)),
        ("20 / 2h", Tier(20, 7200)),
        ("3/minutes", Tier(3, 60)),
        ("7/10min", Tier(7, 600)),
    ],
)
def test_parse_tier(text: str, tier: Tier) -> None:
    assert parse_tier(text) == tier


@pytest.mark.parametrize("text", ["10", "ten/minute", "10/fortnight", "0/minute", "10/0s", "/minute", ""])
def test_bad_tiers_are_refused_with_the_form_to_use(text: str) -> None:
    with pytest.raises(ValueError, match="COUNT/WINDOW|at least 1"):
        parse_tier(text)


def test_tiers_sorted_shortest_window_first() -> None:
    assert [t.window for t in parse_tiers(["1000/day", "10/minute", "100/hour"])] == [60, 3600, 86400]


def limits(clock: Clock, **kwargs: object) -> TurnLimits:
    defaults = {"user": ["10/minute", "100/hour", "1000/day"], "channel": ["10/minute", "100/hour", "1000/day"]}
    return TurnLimits(**{**defaults, **kwargs}, clock=clock)  # type: ignore[arg-type]


def test_default_tiers_minute_then_hour_then_day() -> None:
    clock = Clock()
    lim = limits(clock, channel=[])
    for _ in range(10):
        assert lim.check("slack", "T", "C", "U1") is None
    refusal = lim.check("slack", "T", "C", "U1")
    assert refusal is not None and refusal.scope == "user" and refusal.tier == Tier(10, 60)
    assert refusal.retry_at == pytest.approx(clock.now + 60)
    # 10 more per minute until the hour's 100 are used, then the hour tier speaks.
    for _ in range(9):
        clock.now += 61
        for _ in range(10):
            assert lim.check("slack", "T", "C", "U1") is None
    clock.now += 61
    refusal = lim.check("slack", "T", "C", "U1")
    assert refusal is not None and refusal.tier == Tier(100, 3600)
    assert "100 messages per hour" in refusal.message(clock.now)


def test_the_window_slides_one_event_at_a_time() -> None:
    clock = Clock()
    lim = limits(clock, user=["3/minute"], channel=[])
    for step in (0, 10, 20):
        clock.now += step and 10
        assert lim.check("slack", "T", "C", "U1") is None
    clock.now += 30  # t = 50: all three within the last minute
    assert lim.check("slack", "T", "C", "U1") is not None
    clock.now += 10.5  # t = 60.5: the first (t = 0) has aged out, only one slot is free
    assert lim.check("slack", "T", "C", "U1") is None
    assert lim.check("slack", "T", "C", "U1") is not None


def test_refused_turns_do_not_count() -> None:
    clock = Clock()
    lim = limits(clock, user=["2/minute"], channel=[])
    assert lim.check("slack", "T", "C", "U1") is None
    assert lim.check("slack", "T", "C", "U1") is None
    for _ in range(50):  # hammering while limited does not push the retry time back
        refusal = lim.check("slack", "T", "C", "U1")
        assert refusal is not None and refusal.retry_at == pytest.approx(clock.now + 60)
    clock.now += 60.1
    assert lim.check("slack", "T", "C", "U1") is None


def test_users_are_separate_but_share_their_channel_limit() -> None:
    clock = Clock()
    lim = limits(clock, user=["2/minute"], channel=["3/minute"])
    assert lim.check("slack", "T", "C", "U1") is None
    assert lim.check("slack", "T", "C", "U1") is None
    assert lim.check("slack", "T", "C", "U1").scope == "user"
    assert lim.check("slack", "T", "C", "U2") is None
    refusal = lim.check("slack", "T", "C", "U2")
    assert refusal is not None and refusal.scope == "channel"
    assert lim.check("slack", "T", "C2", "U2") is None  # another channel
    assert lim.check("slack", "T2", "C", "U9") is None  # the same channel id in another workspace


def test_overrides_give_a_user_or_channel_its_own_tiers() -> None:
    clock = Clock()
    lim = limits(clock, user=["1/minute"], channel=[], overrides={"UVIP": ["5/minute"]})
    assert all(lim.check("slack", "T", "C", "UVIP") is None for _ in range(5))
    assert lim.check("slack", "T", "C", "UVIP") is not None
    assert lim.check("slack", "T", "C", "U1") is None
    assert lim.check("slack", "T", "C", "U1") is not None


def test_platforms_not_listed_and_disabled_limits_admit_everything() -> None:
    clock = Clock()
    lim = limits(clock, user=["1/minute"], platforms=["slack"])
    assert all(lim.check("console", "local", "console", "you") is None for _ in range(20))
    off = limits(clock, user=["1/minute"], enabled=False)
    assert all(off.check("slack", "T", "C", "U1") is None for _ in range(20))


def test_refusal_message_says_when_to_try_again() -> None:
    clock = Clock(1_700_000_000.0)  # 22:13:20 UTC
    lim = limits(clock, user=["1/hour"], channel=[])
    assert lim.admit("discord", "G", "C", "U1") == ""
    clock.now += 600
    text = lim.admit("discord", "G", "C", "U1")
    assert text.startswith("⏳ You have reached the limit of 1 message per hour.")
    assert "Try again in 50 min (at 23:13 UTC)" in text
    assert "not sent to any model and not stored" in text


def test_idle_keys_are_forgotten() -> None:
    clock = Clock()
    window = SlidingWindowLimiter(clock)
    tiers = parse_tiers(["5/minute"])
    for i in range(999):
        window.record(f"user:{i}", tiers, clock.now)
    clock.now += 86400 * 8
    window.record("user:new", tiers, clock.now)  # the 1000th record sweeps idle keys
    assert len(window) == 1


def test_config_validates_tiers(tmp_path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[limits]\nuser = ["10/minute", "lots/hour"]\n')
    with pytest.raises(ConfigError, match=r"limits\.user.*COUNT/WINDOW"):
        load_settings(path, env={})
    path.write_text('[limits]\nuser = ["5/minute"]\nchannel = []\noverrides = { U1 = ["50/minute"] }\n')
    settings = load_settings(path, env={})
    assert settings.limits.user == ["5/minute"] and settings.limits.channel == []
    assert settings.limits.platforms == ["slack", "discord"]


def test_config_validates_ops_logging_and_retention(tmp_path) -> None:
    path = tmp_path / "c.toml"
    for bad, key in [
        ("[ops]\nport = 70000\n", "ops.port"),
        ("[ops]\nprot = 1\n", "ops.prot"),
        ('[bot]\nlog_format = "xml"\n', "bot.log_format"),
        ("[bot]\nmessage_ttl_days = -1\n", "bot.message_ttl_days"),
        ("[limits]\nenabled = 3\n", "limits.enabled"),
    ]:
        path.write_text(bad)
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            load_settings(path, env={})
    settings = load_settings(None, env={"HYBRIDBOT_LOG_FORMAT": "json"})
    assert settings.bot.log_format == "json" and settings.bot.message_ttl_days == 0
    assert (settings.ops.enabled, settings.ops.host, settings.ops.port) == (True, "127.0.0.1", 9464)
