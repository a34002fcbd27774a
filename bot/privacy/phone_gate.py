"""A cheap test run before a phone number parse: can these digits be a valid number of that region?

``phonenumbers.parse`` + ``number_type`` cost ~20-50 µs a reading, and most phone-shaped digit runs
in chat (order numbers, amounts, ids, timestamps) are valid in no region tried. Each region's
metadata has one pattern every valid national number matches (``general_desc``); a reading is
parsed only when the digits, or the digits after the region's trunk prefix ("0", "1"), fit it.
For "+" numbers the country code picks the regions. A valid number also matches one of its
region's type patterns (fixed line, mobile, toll-free, …: ``number_type``), so a reading must fit
those too, where that is safe (``_typed``, ``_typed_national``: not where an invalid number may
still be a reserved fictional one, nor where the parse rewrites the digits). This is a necessary
condition only: the parse still decides (tests/unit/test_privacy_round3.py and
test_privacy_gates.py check the verdicts are the same with and without it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import phonenumbers

from bot.privacy.examples import FICTIONAL_COUNTRY_CODES

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


def _readings(national: str, prefixes: tuple[str, ...]) -> Iterator[str]:
    """The national numbers the parse may read: the digits, or the digits after a prefix ("0", the
    country code), or after the country code and the trunk prefix ("39 0 2…")."""
    yield national
    for p in prefixes:
        if national.startswith(p):
            rest = national[len(p) :]
            yield rest
            yield from (rest[len(q) :] for q in prefixes if rest.startswith(q))


def _fits(national: str, region: str, typed: bool = False) -> bool:
    pattern, prefixes = _gate(region)
    if pattern is None:
        return True  # no metadata to judge by: let the parse decide
    readings = [n for n in _readings(national, prefixes) if pattern.fullmatch(n)]
    if not readings or not typed:
        return bool(readings)
    checks = _typed(region)
    return checks is None or any(check.fullmatch(n) for n in readings for check in checks)


def _typed_national(digits: str, region: str) -> bool:
    """May a national reading be judged by the type patterns too? Not where an invalid reading still
    decides the verdict (a reserved fictional number: ``examples.FICTIONAL_COUNTRY_CODES``), nor
    where the digits start with the region's international prefix (the parse reads another country)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.country_code in FICTIONAL_COUNTRY_CODES:
        return False
    return not (metadata.international_prefix and re.match(metadata.international_prefix, digits))


# A number is valid when its national number matches the general pattern and one type's pattern
# (fixed line, mobile, toll-free, …) of its country's region that reads it (``number_type``).
_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
    "fixed_line", "mobile",
)  # fmt: skip


@functools.cache  # a few dozen regions
def _typed(region: str) -> tuple[re.Pattern[str], ...] | None:
    """For each region sharing ``region``'s country code, one pattern that every valid national number
    of that region matches in full (its general pattern and the union of its types' patterns), or
    None when a region's parse rewrites the digits (a transform rule, carrier codes: Argentina,
    Brazil, Japan…), so that the digits are not what is matched."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    checks = []
    for member in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code, ()):
        other = phonenumbers.PhoneMetadata.metadata_for_region(member)
        if other is None or other.national_prefix_transform_rule is not None:
            return None
        if other.national_prefix_for_parsing not in (None, other.national_prefix):
            return None
        general = other.general_desc.national_number_pattern if other.general_desc else None
        types = [
            desc.national_number_pattern
            for desc in (getattr(other, name) for name in _TYPES)
            if desc is not None and desc.national_number_pattern
        ]
        if not general or not types:
            return None
        checks.append(re.compile(f"(?=(?:{general})$)(?:" + "|".join(f"(?:{t})" for t in types) + ")"))
    return tuple(checks) or None


def may_be_valid(candidate: str, region: str) -> bool:
    """False only when no valid number of ``region`` (or, after "+", of the dialled country) has these digits."""
    digits = _NON_DIGIT.sub("", candidate)
    if not candidate.lstrip().startswith("+"):
        if region == "US" and digits.startswith("011"):
            return True  # dialled abroad from the US: the parse reads a country code
        return _fits(digits, region, _typed_national(digits, region))
    if digits.startswith("0"):
        return True  # no country code starts with 0 ("+011…", "+0049…"): the parse has its own readings
    for n in (1, 2, 3):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:n] or 0))
        if regions:
            if phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY in regions:
                return True
            return any(_fits(digits[n:], r, typed=True) for r in regions)  # invalid after "+": no verdict
    return False  # no country has this code
