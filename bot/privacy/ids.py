"""National ID numbers and bank account numbers: a context word, then a value that validates.

A number alone says little (an order number, a timestamp), so a value counts only after a word
that names it — in English, German, French, Spanish, Portuguese, Dutch, Italian or as a JSON/YAML
key or form label (``"dni": …``, ``passport_number:``) — and only when its format and checksum
validate with python-stdnum. The context word picks which validators to try; a generic one
("ID number", "Ausweis", "documento") tries them all. Passport numbers have no public checksum:
they need their label and a plausible shape. Bank account numbers have no general checksum
either: they need an account label *and* a bank cue near it (a valid ABA routing number,
a sort code, BSB, IFSC, transit number, or a word such as "bank", "IBAN", "wire", "Überweisung").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum.ar import cuit
from stdnum.at import vnr
from stdnum.au import tfn
from stdnum.be import nn
from stdnum.br import cpf
from stdnum.ca import sin
from stdnum.ch import ssn as ch_ssn
from stdnum.cl import rut
from stdnum.cn import ric
from stdnum.de import idnr
from stdnum.dk import cpr
from stdnum.es import dni, nie
from stdnum.exceptions import ValidationError
from stdnum.fi import hetu
from stdnum.fr import nir
from stdnum.gb import nhs, utr
from stdnum.gr import amka
from stdnum.ie import pps
from stdnum.in_ import aadhaar, pan
from stdnum.it import codicefiscale
from stdnum.kr import rrn
from stdnum.mx import curp
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.pl import pesel
from stdnum.pt import nif
from stdnum.ro import cnp
from stdnum.se import personnummer
from stdnum.tr import tckimlik
from stdnum.us import itin, rtn
from stdnum.za import idnr as za_idnr

from bot.privacy.lexicon import ACCOUNT_LABELS, ID_LABELS
from bot.privacy.rule import Rule, label_rule

WINDOW = 60  # characters after the context word where its value may start
BANK_CUE_REACH = 200  # characters around an account number where a bank cue must be


@dataclass(frozen=True)
class Family:
    pattern: re.Pattern[str]
    valid: Callable[[str], bool]


def _valid(module: object) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            return bool(module.is_valid(value))  # type: ignore[attr-defined]
        except (ValidationError, ValueError, KeyError, IndexError):
            return False

    return check


def _v(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.-])(?:" + pattern + r")(?![\w-]|\.\d)")


def _passport(value: str) -> bool:
    compact = value.replace(" ", "")
    digits = sum(c.isdigit() for c in compact)
    return (
        6 <= len(compact) <= 9
        and digits >= 1
        and len(set(compact)) >= 4
        and not compact.isdigit()
        or (compact.isdigit() and 8 <= len(compact) <= 9 and len(set(compact)) >= 4)
    )


def _pan(value: str) -> bool:
    return _valid(pan)(value) and value[3] in "PCHFATBLJG"


FAMILIES: dict[str, Family] = {
    "es": Family(_v(r"\d{8}[- ]?[A-Za-z]|[XYZxyz][- ]?\d{7}[- ]?[A-Za-z]"), lambda v: _valid(dni)(v) or _valid(nie)(v)),
    "br_cpf": Family(_v(r"\d{3}\.?\d{3}\.?\d{3}[-.]?\d{2}"), _valid(cpf)),
    "nl_bsn": Family(_v(r"\d{4}\.?\d{2}\.?\d{3}|\d{3}[ .]\d{3}[ .]\d{3}"), _valid(bsn)),
    "de_idnr": Family(_v(r"\d{2}[ ]?\d{3}[ ]?\d{3}[ ]?\d{3}"), _valid(idnr)),
    "fr_nir": Family(_v(r"[12][ ]?\d{2}[ ]?\d{2}[ ]?(?:\d{2}|2[AB])[ ]?\d{3}[ ]?\d{3}[ ]?\d{2}"), _valid(nir)),
    "in_aadhaar": Family(_v(r"\d{4}[ -]?\d{4}[ -]?\d{4}"), _valid(aadhaar)),
    "in_pan": Family(_v(r"[A-Z]{5}\d{4}[A-Z]"), _pan),
    "gb_nhs": Family(_v(r"\d{3}[ -]?\d{3}[ -]?\d{4}"), _valid(nhs)),
    "ca_sin": Family(_v(r"\d{3}[ -]?\d{3}[ -]?\d{3}"), _valid(sin)),
    "au_tfn": Family(_v(r"\d{3}[ -]?\d{3}[ -]?\d{2,3}"), _valid(tfn)),
    "it_cf": Family(_v(r"[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z]\d{3}[A-Za-z]"), _valid(codicefiscale)),
    "pt_nif": Family(_v(r"\d{9}"), _valid(nif)),
    "pl_pesel": Family(_v(r"\d{11}"), _valid(pesel)),
    "us_itin": Family(_v(r"9\d{2}[- ]?\d{2}[- ]?\d{4}"), _valid(itin)),
    "be_nn": Family(_v(r"\d{2}\.?\d{2}\.?\d{2}[- ]?\d{3}[.-]?\d{2}"), _valid(nn)),
    "ie_pps": Family(_v(r"\d{7}[A-Wa-w][A-IWa-iw]?"), _valid(pps)),
    "cn_ric": Family(_v(r"\d{17}[\dXx]"), _valid(ric)),
    "ar_cuit": Family(_v(r"\d{2}-?\d{8}-?\d"), _valid(cuit)),
    "cl_rut": Family(_v(r"\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK]"), _valid(rut)),
    "za_id": Family(_v(r"\d{6}[ ]?\d{4}[ ]?\d{3}"), _valid(za_idnr)),
    "gb_utr": Family(_v(r"\d{5}[ ]?\d{5}"), _valid(utr)),
    "se_pnr": Family(_v(r"(?:19|20)?\d{6}[-+]?\d{4}"), _valid(personnummer)),
    "dk_cpr": Family(_v(r"\d{6}-?\d{4}"), _valid(cpr)),
    "fi_hetu": Family(_v(r"\d{6}[-+A]\d{3}[\dA-Ya-y]"), _valid(hetu)),
    "no_fnr": Family(_v(r"\d{6}[ ]?\d{5}"), _valid(fodselsnummer)),
    "ro_cnp": Family(_v(r"\d{13}"), _valid(cnp)),
    "tr_tckimlik": Family(_v(r"\d{11}"), _valid(tckimlik)),
    "gr_amka": Family(_v(r"\d{11}"), _valid(amka)),
    "ch_ahv": Family(_v(r"756\.?\d{4}\.?\d{4}\.?\d{2}"), _valid(ch_ssn)),
    "at_vnr": Family(_v(r"\d{4}[ ]?\d{6}"), _valid(vnr)),
    "mx_curp": Family(_v(r"[A-Z]{4}\d{6}[HM][A-Z]{5}[A-Z0-9]\d"), _valid(curp)),
    "kr_rrn": Family(_v(r"\d{6}-?\d{7}"), _valid(rrn)),
    "passport": Family(_v(r"[A-Z0-9]{2}[ ]?[A-Z0-9]{4,7}"), _passport),
}
_CHECKSUMMED = tuple(name for name in FAMILIES if name != "passport")

# Context word (lowercase, as matched) -> the families it names. Checked in order: first prefix wins.
_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dni", ("es",)),
    ("nie", ("es",)),
    ("nif", ("es", "pt_nif")),
    ("documento nacional", ("es",)),
    ("identidad de extranjero", ("es",)),
    ("cpf", ("br_cpf",)),
    ("bsn", ("nl_bsn",)),
    ("burgerservice", ("nl_bsn",)),
    ("sofi", ("nl_bsn",)),
    ("steuer", ("de_idnr",)),
    ("idnr", ("de_idnr",)),
    ("identifikationsnummer", ("de_idnr",)),
    ("sécu", ("fr_nir",)),
    ("secu", ("fr_nir",)),
    ("nir", ("fr_nir",)),
    ("insee", ("fr_nir",)),
    ("aadha", ("in_aadhaar",)),
    ("uidai", ("in_aadhaar",)),
    ("pan", ("in_pan",)),
    ("nhs", ("gb_nhs",)),
    ("sin", ("ca_sin",)),
    ("social insurance", ("ca_sin",)),
    ("tfn", ("au_tfn",)),
    ("tax file", ("au_tfn",)),
    ("codice fiscale", ("it_cf",)),
    ("cf", ("it_cf",)),
    ("c.f", ("it_cf",)),
    ("contribuinte", ("pt_nif",)),
    ("pesel", ("pl_pesel",)),
    ("itin", ("us_itin",)),
    ("individual taxpayer", ("us_itin",)),
    ("rijksregister", ("be_nn",)),
    ("registre national", ("be_nn",)),
    ("numéro national", ("be_nn",)),
    ("numero national", ("be_nn",)),
    ("insz", ("be_nn",)),
    ("pps", ("ie_pps",)),
    ("chinese id", ("cn_ric",)),
    ("resident identity", ("cn_ric",)),
    ("身份证", ("cn_ric",)),
    ("cuit", ("ar_cuit",)),
    ("cuil", ("ar_cuit",)),
    ("rut", ("cl_rut",)),
    ("rol único", ("cl_rut",)),
    ("south african id", ("za_id",)),
    ("sa id", ("za_id",)),
    ("utr", ("gb_utr",)),
    ("unique taxpayer", ("gb_utr",)),
    ("personnummer", ("se_pnr", "no_fnr")),
    ("personnr", ("se_pnr",)),
    ("cpr", ("dk_cpr",)),
    ("henkilötunnus", ("fi_hetu",)),
    ("hetu", ("fi_hetu",)),
    ("fødselsnummer", ("no_fnr",)),
    ("fodselsnummer", ("no_fnr",)),
    ("cnp", ("ro_cnp",)),
    ("tc kimlik", ("tr_tckimlik",)),
    ("kimlik", ("tr_tckimlik",)),
    ("amka", ("gr_amka",)),
    ("ahv", ("ch_ahv",)),
    ("avs", ("ch_ahv",)),
    ("sozialversicherungsnummer", ("at_vnr", "ch_ahv")),
    ("svnr", ("at_vnr",)),
    ("sv-nummer", ("at_vnr",)),
    ("curp", ("mx_curp",)),
    ("주민등록번호", ("kr_rrn",)),
    ("resident registration", ("kr_rrn",)),
    ("pass", ("passport",)),  # passport, passeport, passaporte, passaporto, passnummer
    ("pasaporte", ("passport",)),
    ("paspoort", ("passport",)),
    ("reisepass", ("passport",)),
)


def _families(label: str) -> tuple[str, ...]:
    for prefix, families in _LABELS:
        if label.startswith(prefix):
            return families
    return _CHECKSUMMED  # a generic label: any checksummed number counts


def _window(m: re.Match[str]) -> tuple[str, int]:
    text, end = m.string, m.end()
    stop = text.find("\n", end, end + WINDOW)
    return text[end : stop if stop >= 0 else end + WINDOW], end


def _label_at_word_start(m: re.Match[str]) -> bool:
    before = m.string[m.start() - 1 : m.start()]
    after = m.string[m.end() : m.end() + 1]
    return not before.isalpha() and not after.isalpha()


def _check_national_id(m: re.Match[str]) -> tuple[float, int, int] | None:
    if not _label_at_word_start(m):
        return None  # "pan" in "company", "sin" in "single"
    window, offset = _window(m)
    families = _families(m.group(0).lower())
    shaped = False
    for name in families:
        family = FAMILIES[name]
        for v in family.pattern.finditer(window):
            if family.valid(v.group(0)):
                return 0.95, offset + v.start(), offset + v.end()  # outranks a phone reading
            shaped = True
    # A number shaped like the named id whose check digit fails is not one ("fails the checksum");
    # after a generic label ("ID no.", "documento") any id shape counts.
    return None if shaped and families is not _CHECKSUMMED else _unchecked_id(m)


# An id of a country without a checksum entry, or one mistyped: right after a label that names an
# id (not a short ambiguous one such as "pan", "sin", "nie"), a value of id shape: 6-20 characters,
# at most four letters before the first digit, 5+ digits, not a date.
_GENERIC_VALUE = re.compile(
    r"""(?ix)[ \t]*(?:(?:no\.?|nr\.?|n[º°o]\.?|number|nummer|n[uú]mero|numéro|num|\#|is|ist|est|es|é|è|hai|[.:=-])[ \t]*){0,3}["']?
    ([a-z]{0,4}\d[\da-z]*(?:[ ./-]\d[\da-z]*){0,5})(?![\w./-]?\w)"""
)
_DATE_SHAPE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|(?:19|20)\d\d[/-]")
_RECORD_WORD = re.compile(
    r"""(?ix)\b(?:ticket|customer|client|user|transaction|order|invoice|session|request|case|account|member|booking
    |tracking|shipment|device|product|item|job|build|run|trace|event|message|payment|reference|employee|student
    |record|batch|fattura|factura|fatura|rechnung|pedido|bestellung|commande|ordine|bestelling|kunden|cliente)\w*\W+$"""
)


def _unchecked_id(m: re.Match[str]) -> tuple[float, int, int] | None:
    label = m.string[m.start() : m.end()].lower()
    if len(label) < 4 or label.startswith(("pass", "pasa", "pasp", "reisepass")):
        return None  # short labels are words too ("pan", "sin"); passports have their own shape check
    if _RECORD_WORD.search(m.string, max(0, m.start() - 30), m.start()):
        return None  # "ticket id number …", "the customer ID no. …", "fattura documento …": a record's id
    v = _GENERIC_VALUE.match(m.string, m.end())
    if v is None:
        return None
    value = v.group(1)
    compact = re.sub(r"[ ./-]", "", value)
    digits = sum(c.isdigit() for c in compact)
    if not 6 <= len(compact) <= 20 or digits < 5 or len(set(compact)) < 4 or _DATE_SHAPE.match(value):
        return None
    return 0.75, v.start(1), v.end(1)


# --- bank accounts -----------------------------------------------------------------------------

_ACCOUNT_VALUE = re.compile(r"(?<![\w.-])\d[\d -]{4,18}\d(?:-\d{1,2})?(?![\w.-]?\d)")
_ROUTING = re.compile(r"(?<!\d)\d{9}(?!\d)")
_BANK_CUE = re.compile(
    r"""(?ix)\b(?:bank\w*|banco|banque|banca|sort[ ]?code|bsb|ifsc|routing|aba|transit|institution|blz|iban|swift|bic
    |wire|deposit|direct[ ]debit|überweis\w*|virement|transferencia|transfer[eê]ncia|overschrijving|bonifico
    |neft|imps|rtgs|upi|e-transfer|ag[eê]ncia|checking|savings|girokonto|sparkonto|cuenta[ ]corriente
    |conta[ ]corrente|conto[ ]corrente|compte[ ]courant|lastschrift)\b"""
)
_IFSC = re.compile(r"\b[A-Z]{4}0[A-Z0-9]{6}\b")


def _bank_cue(text: str) -> bool:
    if _BANK_CUE.search(text) or _IFSC.search(text):
        return True
    return any(rtn.is_valid(r.group(0)) for r in _ROUTING.finditer(text))


def _check_bank_account(m: re.Match[str]) -> tuple[float, int, int] | None:
    if not _label_at_word_start(m) and not m.group(0).lower().startswith("a/c"):
        return None
    window, offset = _window(m)
    rest = window.lstrip(" \t")
    if rest[:3].lower() in ("_id", "id:", "id ", 'id"'):
        return None  # account_id, account id: an identifier in an app, not a bank account
    v = _ACCOUNT_VALUE.search(window)
    if v is None or v.start() > 30:
        return None
    digits = sum(c.isdigit() for c in v.group(0))
    around = m.string[max(0, m.start() - BANK_CUE_REACH) : offset + v.end() + BANK_CUE_REACH]
    if not 6 <= digits <= 17 or not _bank_cue(around):
        return None
    return 0.92, offset + v.start(), offset + v.end()  # outranks a phone reading


RULES: tuple[Rule, ...] = (
    label_rule("national_id", ID_LABELS, _check_national_id, digit=True),
    label_rule("bank_account", ACCOUNT_LABELS, _check_bank_account, digit=True),
)
