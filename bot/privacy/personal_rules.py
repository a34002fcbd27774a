"""Validators for personal data (cards are in ``cards``): IBANs, national ids, e-mail, phones, dates of birth, addresses."""

from __future__ import annotations

import functools
import re

import phonenumbers

from bot.privacy.common import _EXAMPLE_DOMAIN, _is_placeholder, _words
from bot.privacy.examples import is_fictional_phone
from bot.privacy.phone_gate import may_be_valid
from bot.privacy.rule import _ci, trie_pattern

# phonenumbers looks its metadata patterns up in re's cache (512 entries, oldest dropped first);
# validating one +1 number walks ~25 regions' patterns, so with other regex users in the process
# they fall out and get recompiled (~0.3 ms each). Keep them instead: bounded by the metadata,
# and the library's own opt-in (recent releases; older ones just skip this).
if hasattr(phonenumbers, "enable_pattern_cache"):
    phonenumbers.enable_pattern_cache()


# IBAN length per country (ISO 13616 registry, common subset).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


def _check_iban(m: re.Match[str]) -> float | None:
    iban = m.group(0).replace(" ", "")
    if _IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return None
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)  # A=10 ... Z=35
    return 0.9 if int(number) % 97 == 1 else None


_SSN_EXAMPLES = frozenset({"123-45-6789", "078-05-1120"})  # advertising / never issued
_SSN_CONTEXT = re.compile(r"(?i)\b(?:ssn|social security|social sec|tax id|tin)\b")


_NON_DIGIT = re.compile(r"\D")


def _check_ssn(m: re.Match[str]) -> float | None:
    digits = _NON_DIGIT.sub("", m.group("ssn"))
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    # Never issued: area 000, 666 or 900-999, group 00, serial 0000; plus well-known examples.
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return None
    if f"{area}-{group}-{serial}" in _SSN_EXAMPLES or all(len(set(g)) == 1 for g in (area, group, serial)):
        return None  # documented examples, and patterns like 111-22-3333
    before = m.string[max(0, m.start() - 40) : m.start()]
    return 0.95 if m.group("ctx") or _SSN_CONTEXT.search(before) else 0.75


_ROLE_MAILBOX = re.compile(
    r"(?i)^(?:no-?reply|do-?not-?reply|support|info|help|admin|sales|contact|billing|security"
    r"|abuse|postmaster|webmaster|hello|team|privacy|legal|press|jobs|careers|git)$"
)
_FILE_TLDS = _words(
    """
    png jpg jpeg gif svg webp ico js ts py rb go css html json yaml yml md txt
    """
)


def _check_email(m: re.Match[str]) -> float | None:
    return _check_email_parts(m.group("local"), m.group("domain"))


def _check_email_parts(local: str, domain: str) -> float | None:
    if _EXAMPLE_DOMAIN.search(domain) or domain.rsplit(".", 1)[-1].lower() in _FILE_TLDS:
        return None
    if _ROLE_MAILBOX.match(local) or domain.lower().endswith("noreply.github.com"):
        return 0.3  # an organisation's mailbox, not a person
    return 0.9


# Text just before a number that makes it an identifier rather than a phone number.
_NOT_PHONE_WORDS = (
    "order|invoice|ticket|case|ref|reference|id|account|acct|tracking|sku|build|issue|pr"
    "|serial|isbn|po|version|txn|transaction|confirmation|customer|member|policy|bestellnummer|commande"
    "|pedido|encomenda|bestelling|ordine|kundennummer|rechnung|factura|fatura|factuur|fattura|dossier"
)
# (?i)\b(?:WORDS)… spelled to start with a class of first letters (``_ci``) and the word boundary
# checked after it, so re skips ahead to those letters instead of trying every position.
_NOT_PHONE_CONTEXT = re.compile(
    _ci(_NOT_PHONE_WORDS).replace("](", r"](?<!\w.)(", 1)
    + r"(?i:(?:\s*(?:number|num|no\.?|nr\.?|n°|id|#))?\s*(?:is|was|[#:=])?\s*$)"
)
# Words that say a phone number follows, in the supported languages (lowercase, at a word start).
_PHONE_WORDS = [
    "phone",
    "call",
    "tel",
    "mobile",
    "cell",
    "whatsapp",
    "whats",
    "sms",
    "dial",
    "fax",
    "number",
    "handy",
    "mobil",
    "ruf",
    "anrufen",
    "nummer",
    "portable",
    "téléphone",
    "telephone",
    "tél",
    "appelle",
    "numéro",
    "numero",
    "móvil",
    "movil",
    "celular",
    "teléfono",
    "telefono",
    "telefone",
    "telemóvel",
    "telemovel",
    "llámame",
    "llamame",
    "llama",
    "liga",
    "ligar",
    "número",
    "bel",
    "mobiel",
    "cellulare",
    "chiamami",
    "contatto",
    "zap",
    "telefonnummer",
    "handynummer",
    "mobilnummer",
    "rufnummer",
    "festnetz",
    "telefoonnummer",
    "mobiele",
] + ["text me", "reach me", "my number", "number is"]
# \b(?:WORDS)(?![a-zà-ÿ]) on lowercase text, spelled to start with a class of first letters (re
# skips ahead to them); the lookahead inside backtracks to a shorter word just as the plain form does.
_PHONE_CONTEXT = re.compile(
    "[" + "".join(sorted({w[0] for w in _PHONE_WORDS})) + "]"
    r"(?<=(?=\b(?:" + trie_pattern(_PHONE_WORDS) + r")(?![a-zà-ÿ])).)"
)
_PHONE_WORD = re.compile(r"(?i)phone|mobile|cell|handy|portable|m[óo]vil|celular|telem[óo]vel|cellulare|mobiel|tel")
_PHONE_SEPARATOR = re.compile(r"[ .-]")
_PHONE_AREA_CODE = re.compile(r"\(\d+\) ?")
_DATE_OR_IP = re.compile(r"^\d{1,4}([./-])\d{1,2}\1\d{1,4}$|^\d{1,3}(?:\.\d{1,3}){3}$")


# Regions whose national formats (with a leading trunk 0) are tried after +international and US.
NATIONAL_PHONE_REGIONS: tuple[str, ...] = ("GB", "DE", "FR", "NL", "IE", "IT", "ES", "AU", "IN", "JP", "BR")
# Tried too when a phone word comes before the number: national formats without a trunk 0.
_NO_TRUNK_REGIONS: tuple[str, ...] = ("ES", "IT", "PT", "BR", "IN", "MX", "AR", "BE", "CH", "AT")


def _possible_lengths(region: str) -> frozenset[int]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    desc = metadata.general_desc if metadata is not None else None
    return frozenset((desc.possible_length if desc is not None else None) or range(4, 18))


# National number lengths per region: a parse (~20-50 µs) is skipped where the digits cannot fit.
_LENGTHS = {region: _possible_lengths(region) for region in ("US", *NATIONAL_PHONE_REGIONS, *_NO_TRUNK_REGIONS)}


def _fits(digits: int, region: str) -> bool:
    lengths = _LENGTHS[region]
    return digits in lengths or digits - 1 in lengths  # with or without a trunk 0


def _regions(candidate: str, wide: bool) -> tuple[str, ...]:
    """Regions whose formats may read the candidate: +international, US, after a trunk 0 the national
    formats; ``wide`` (a phone word came before it) adds national formats without a trunk 0."""
    if candidate.startswith("+"):
        return ("US",)  # the region is ignored after "+"
    if candidate.lstrip("(").startswith("0"):
        return (
            ("US", *NATIONAL_PHONE_REGIONS)
            if _NON_DIGIT.sub("", candidate).startswith("011")
            else NATIONAL_PHONE_REGIONS
        )
    # No valid US reading starts with 0 otherwise (checked on 2M random candidates); skip that parse.
    return ("US", *_NO_TRUNK_REGIONS) if wide else ("US",)


@functools.lru_cache(maxsize=4096)  # pure; repeated numbers in a long paste are parsed once
def _parse_phone(candidate: str, region: str) -> tuple[phonenumbers.PhoneNumber, int] | None:
    """The number the candidate spells with all its digits when read in ``region`` and its type
    (``UNKNOWN`` when it is not valid), or None. The candidate holds only digits, separators,
    parentheses and "+", so parse() reads every digit."""
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    # number_type() is UNKNOWN exactly when is_valid_number() is False (both match the number against
    # its region's patterns, tested in test_privacy_speed.py): one call instead of two.
    return number, phonenumbers.number_type(number)


_DIGIT_GROUPS = re.compile(r"\d+")


_NATIONAL_FIRST = (phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
_INTERNATIONAL_FIRST = _NATIONAL_FIRST[::-1]


def _grouped_like_a_phone(candidate: str, number: phonenumbers.PhoneNumber) -> bool:
    """Are the candidate's digit groups the ones the number is written with (national or international)?

    A cheap stand-in for the matcher's STRICT_GROUPING: 415-555-0132 and +44 20 7946 0958 pass,
    the part number 33471-90901 does not.
    """
    groups = _DIGIT_GROUPS.findall(candidate)
    for fmt in _INTERNATIONAL_FIRST if candidate.startswith("+") else _NATIONAL_FIRST:  # likelier first
        if groups == _DIGIT_GROUPS.findall(phonenumbers.format_number(number, fmt)):
            return True
    return False


_BUSINESS_NUMBER_TYPES = frozenset({phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.PREMIUM_RATE})
_SHARED_NUMBER_TYPES = frozenset({phonenumbers.PhoneNumberType.SHARED_COST, phonenumbers.PhoneNumberType.UAN})

# The highest confidence _check_phone returns; the scanner relies on it to skip hopeless candidates.
PHONE_MAX_CONFIDENCE = 0.9


def _check_phone(m: re.Match[str]) -> float | None:
    candidate = m.group(0)
    ndigits = sum(c.isdigit() for c in candidate)
    if not 7 <= ndigits <= 15 or _DATE_OR_IP.match(candidate):
        return None
    seps = _PHONE_SEPARATOR.findall(_PHONE_AREA_CODE.sub("", candidate))
    if "." in seps and (set(seps) != {"."} or len(seps) < 2):
        return None  # decimals and tables: 1.504 609 5178, +35236450.6; but 415.555.2671 is fine
    before = m.string[max(0, m.start() - 30) : m.start()]
    if _NOT_PHONE_CONTEXT.search(before) and not _PHONE_WORD.search(before):
        return None
    context = _PHONE_CONTEXT.search(before.lower()) is not None
    if candidate.isdigit() and not context:
        return None  # a bare 10-digit integer (2147483647, an id) is more often not a phone
    return _phone_verdict(candidate, context)


@functools.lru_cache(maxsize=4096)  # pure; a paste that repeats a number validates it once
def _phone_verdict(candidate: str, context: bool) -> float | None:
    """Regions are tried in turn (a parse costs ~20-50 µs) until one reading settles it."""
    verdict = None
    digits = sum(c.isdigit() for c in candidate)
    if candidate.startswith("+") and not may_be_valid(candidate, "US"):
        return None  # no country's numbers have these digits after its code
    for region in _regions(candidate, context):
        if not candidate.startswith("+") and not (_fits(digits, region) and may_be_valid(candidate, region)):
            continue
        parsed = _parse_phone(candidate, region)
        if parsed is None:
            continue
        number, kind = parsed
        if is_fictional_phone(number):
            return None  # reserved for fiction (often not even "valid"), read in its own region
        if kind == phonenumbers.PhoneNumberType.UNKNOWN:
            continue  # not a valid number in this reading
        if kind in _BUSINESS_NUMBER_TYPES:
            return None  # freephone or premium rate (0800, 1-800, 0900): a business, wherever it is read
        if kind in _SHARED_NUMBER_TYPES:
            continue  # shared-cost or non-geographic here (UK 03…); another region may read a person's line
        if context:
            return PHONE_MAX_CONFIDENCE
        if _grouped_like_a_phone(candidate, number):
            return 0.85 if candidate.startswith("+") else 0.75
        verdict = 0.45  # valid digits but odd grouping, like part number 33471-90901
    return verdict


# UK National Insurance number: two prefix letters (not D F I Q U V; second not O; a few pairs
# never issued), six digits, suffix A-D. QQ123456C, the documented example, is excluded by D/Q.
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
_NINO_CONTEXT = re.compile(r"(?i)\b(?:ni|nino|national insurance|n\.i\.)\b")


def _check_nino(m: re.Match[str]) -> float | None:
    if m.group("prefix").upper() in _NINO_BAD_PREFIXES:
        return None
    before = m.string[max(0, m.start() - 40) : m.start()]
    if _NINO_CONTEXT.search(before):
        return 0.95
    return 0.7 if " " in m.group(0) else 0.45  # "AB 12 34 56 C" is written like a NINO; AB123456C may be a part no.


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    r"(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}(?:st|nd|rd|th)?[ ]+(?:of[ ]+)?" + _MONTHS + r",?[ ]+(?:19|20)\d{2}"
    r"|" + _MONTHS + r"[ ]+\d{1,2}(?:st|nd|rd|th)?,?[ ]+(?:19|20)\d{2})"
)


_YEAR = re.compile(r"(?:19|20)\d{2}|\d{2}$")


def _check_dob(m: re.Match[str]) -> float | None:
    year = _YEAR.findall(m.group("date"))
    if year and len(year[-1]) == 4 and not 1900 <= int(year[-1]) <= 2030:
        return None
    return 0.85


_STREET_TYPES = (
    r"(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|terrace"
    r"|close|crescent|square|sq|parkway|pkwy|highway|hwy|row|gardens|grove|hill|mews|walk)"
)


# What ties an address to a person, right before it: "I live at", "my home address is", "ship it to".
_ADDRESS_CONTEXT = re.compile(
    r"""(?i)(?:(?P<dwell>lives?|moved|stays?|resides?)[ ]+(?:at|on|to|in)
        |\bmy[ ]+(?:home[ ]+|new[ ]+|postal[ ]+|mailing[ ]+|street[ ]+)?address(?:[ ]+is)?
        |\bhome[ ]+address|\b(?:ship|send|deliver|mail|post)[ ]+(?:it[ ]+|them[ ]+|the[ ]+\w+[ ]+|this[ ]+)?to)
        [ ]*:?[ ]*$""",
    re.VERBOSE,
)
# Who "lives at": a pronoun or a capitalised name ("Kate lives at …"), not "the server lives at".
_DWELLER = re.compile(r"(?:^|[^\w'])(?:I|[Ww]e|[Ss]?he|[Tt]hey|[A-Z][a-z]+)[ ]+$")


def _check_address(m: re.Match[str]) -> float | None:
    before = m.string[max(0, m.start() - 60) : m.start()]
    context = _ADDRESS_CONTEXT.search(before)
    if context is None:
        return None  # an office, a venue, a street in a story: not tied to a person
    if context.group("dwell") and not _DWELLER.search(before[: context.start()]):
        return None  # "the server lives at 10 Rack Row" is not a home
    return 0.85


def _check_first_person(m: re.Match[str]) -> float | None:
    return None if _is_placeholder(m.group("value")) else 0.75
