"""The built-in tools: exact calculator (no eval, huge results refused) and now in real IANA zones."""

import datetime as dt

import pytest

from bot.tools.calculator import CALCULATOR, evaluate, format_number
from bot.tools.clock import make_now_tool
from bot.tools.runner import run_tool


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0.1 + 0.2", "0.3"),  # exact, not 0.30000000000000004
        ("1/3 + 1/6", "0.5"),
        ("1/7 + 1/7", "2/7 ≈ 0.28571428571428571429"),
        ("1/3", "1/3 ≈ 0.33333333333333333333"),
        ("(1/3) * 3", "1"),
        ("2**64", "18446744073709551616"),
        ("2^10", "1024"),
        ("17 // 5", "3"),
        ("-7 // 2", "-4"),
        ("17 % 5", "2"),
        ("2**-2", "0.25"),
        ("sqrt(16/9)", "4/3 ≈ 1.33333333333333333333"),
        ("sqrt(2)", "1.4142135623731"),
        ("round(2/3, 3)", "0.667"),
        ("max(3, 7, 5) - min(4, 2)", "5"),
        ("1e3 + 1", "1001"),
        ("12 × 3 ÷ 4", "9"),
    ],
)
def test_calculator_is_exact(expression, expected):
    assert format_number(evaluate(expression)) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("2**100000", "more than 1000 digits"),
        ("9**9**9", "more than 1000 digits"),
        ("10**999 * 10**999", "more than 1000 digits"),
        ("1/0", "division by zero"),
        ("5 % 0", "modulo by zero"),
        ("(-8)**(1/3)", "not a real number"),
        ("sqrt(-1)", "not a real number"),
        ('__import__("os").system("true")', "not available"),
        ('__import__("os")', "not defined"),
        ("open('/etc/passwd')", "not defined"),
        ("x + 1", "not defined"),
        ("'a' * 10", "only numbers"),
        ("(1).__class__", "not available"),
        ("pi.real", "not available"),
        ("1 < 2", "not available"),
        ("5 & 3", "only the operators"),
        ("~5", "only the operators"),
        ("1 if 1 else 2", "not available"),
        ("max(*[1, 2])", "not available"),
        ("1 " * 300, "is too long"),
    ],
)
async def test_calculator_refuses_with_an_error_the_model_sees(expression, expected):
    result = await run_tool(CALCULATOR, {"expression": expression})
    assert result.is_error
    assert expected in result.text


async def test_calculator_answers_through_the_runner():
    result = await run_tool(CALCULATOR, '{"expression": "19.99 * 3"}')
    assert (result.is_error, result.text) == (False, "19.99 * 3 = 59.97")


async def test_a_huge_power_is_refused_quickly():
    import time

    started = time.perf_counter()
    result = await run_tool(CALCULATOR, {"expression": "7**(10**9)"})
    assert result.is_error and time.perf_counter() - started < 0.1


AT = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)  # an hour before Europe's switch to summer time


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Paris", "Sunday 29 March 2026, 01:30:00 CET (UTC+01:00, Europe/Paris)"),
        ("America/New_York", "Saturday 28 March 2026, 20:30:00 EDT (UTC-04:00, America/New_York)"),
        ("Asia/Kathmandu", "Sunday 29 March 2026, 06:15:00 +0545 (UTC+05:45, Asia/Kathmandu)"),
        ("UTC", "Sunday 29 March 2026, 00:30:00 UTC (UTC+00:00, UTC)"),
    ],
)
async def test_now_gives_local_time_in_a_real_iana_zone(zone, expected):
    tool = make_now_tool("UTC", clock=lambda: AT)
    result = await run_tool(tool, {"time_zone": zone})
    assert result.text.startswith(expected)


async def test_now_follows_daylight_saving_time():
    after = AT + dt.timedelta(hours=1)  # 01:30 UTC: Paris is on CEST now
    result = await run_tool(make_now_tool("Europe/Paris", clock=lambda: after), {})
    assert "03:30:00 CEST (UTC+02:00" in result.text


async def test_now_uses_the_default_zone_when_none_is_given():
    result = await run_tool(make_now_tool("Asia/Tokyo", clock=lambda: AT), {})
    assert "09:30:00 JST" in result.text and "2026-03-29T09:30:00+09:00" in result.text


async def test_now_with_an_unknown_zone_is_an_error_naming_the_zone():
    result = await run_tool(make_now_tool(clock=lambda: AT), {"time_zone": "Mars/Olympus"})
    assert result.is_error and "unknown time zone 'Mars/Olympus'" in result.text


def test_a_bad_default_zone_is_refused_at_start_up():
    with pytest.raises(ValueError, match="Europe/Pariss"):
        make_now_tool("Europe/Pariss")


async def test_now_without_a_pinned_clock_is_the_real_time():
    result = await run_tool(make_now_tool(), {"time_zone": "UTC"})
    iso = result.text.split("ISO 8601: ")[1]
    assert abs(dt.datetime.fromisoformat(iso) - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
