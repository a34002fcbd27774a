"""A cheap test run before a phone number parse: can these digits be a valid number of that region?

``phonenumbers.parse`` + ``number_type`` cost ~20-50 µs a reading, and most phone-shaped digit runs
in chat (order numbers, amounts, ids, timestamps) are valid in no region tried. Each region's
metadata has one pattern every valid national number matches (``general_desc``); a reading is
parsed only when the digits, or the digits after the region's trunk prefix ("0", "1"), fit it.
For "+" numbers the country code picks the regions. This is a necessary condition only: the parse
still decides (tests/unit/test_privacy_speed.py checks the verdicts are the same with and without it).
"""

from __future__ import annotations

import functools
import re

import phonenumbers

_NON_DIGIT = re.compile(r"\D")


@functools.cache  # a few dozen regions
def _gate(region: str) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    """The region's pattern for valid national numbers, and what may come before one: its trunk
    prefix ("0") and its own country code written without "+" (parse strips "49…" read in DE)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None or not metadata.general_desc.national_number_pattern:
        return None, ()
    prefixes = tuple(p for p in (metadata.national_prefix, str(metadata.country_code or "")) if p)
    return re.compile(metadata.general_desc.national_number_pattern), prefixes


def _fits(national: str, region: str) -> bool:
    pattern, prefixes = _gate(region)
    if pattern is None:
        return True  # no metadata to judge by: let the parse decide
    if pattern.fullmatch(national):
        return True
    return any(national.startswith(p) and _fits_after(pattern, national[len(p) :], prefixes) for p in prefixes)


def _fits_after(pattern: re.Pattern[str], rest: str, prefixes: tuple[str, ...]) -> bool:
    # "39 0 2…": a country code may be followed by the trunk prefix too
    return pattern.fullmatch(rest) is not None or any(
        rest.startswith(p) and pattern.fullmatch(rest[len(p) :]) is not None for p in prefixes
    )


@functools.cache  # a few dozen regions
def _international_prefix(region: str) -> re.Pattern[str] | None:
    """The region's international dialling prefix ("00", the US "011", Australia's "0011" …) as a pattern."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = metadata.international_prefix if metadata is not None else None
    return re.compile(f"(?:{prefix})") if prefix else None


def _dialled_abroad(region: str, digits: str) -> bool:
    prefix = _international_prefix(region)
    return prefix is not None and prefix.match(digits) is not None


def may_be_valid(candidate: str, region: str) -> bool:
    """False only when no valid number of ``region`` (or, after "+", of the dialled country) has these digits."""
    digits = _NON_DIGIT.sub("", candidate)
    if not candidate.lstrip().startswith("+"):
        if _dialled_abroad(region, digits):
            return True  # "0049 …" in DE, "011 44 …" in the US: the parse reads a country code after the prefix
        return _fits(digits, region)
    if digits.startswith("0"):
        return True  # no country code starts with 0 ("+011…", "+0049…"): the parse has its own readings
    for n in (1, 2, 3):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:n] or 0))
        if regions:
            if phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY in regions:
                return True
            return any(_fits(digits[n:], r) for r in regions)
    return False  # no country has this code
