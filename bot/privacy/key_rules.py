"""Personal data under structured keys: JSON, YAML, .env, form and log fields, in any naming style.

A key is split into words (``customer_birth_date``, ``shippingAddress``, ``user.dob``,
``billing-account-no``, ``PATIENT_DX``, ``"Fecha de nacimiento del cliente":``) and the words are
looked up in multilingual tables of what a field holds: a date of birth, a postal address, a
health detail, a salary, a national id or a bank account number. The value under the key is
reported as that kind when it has the kind's shape (a date, a street with a number, a number with
enough digits, …) and is not a placeholder, a variable or an empty/negative answer ("none", "n/a").

Words that describe metadata about a field (``_id``, ``_type``, ``_count``, ``ip_address``,
``salary_max``) cancel it. Secrets under keys are found by ``rules._assignment``.

Speed: every rule is planned only when one of its stems occurs in the text (``hints``) and its
regex is tried only around each ":" or "=" (``Rule.anchor``), so ordinary chat never runs it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

import ahocorasick

from bot.privacy.addresses import _CAPITALISED, _HOUSE_NUMBER, _ORGANISATION, _POSTCODE, ADDRESS
from bot.privacy.birth_rules import DATE_ML
from bot.privacy.common import _is_placeholder, _words
from bot.privacy.lexicon import DOSE, HEALTH_TERMS
from bot.privacy.rule import Rule, trie_pattern

# A key: a name of word characters, ".", "-" (a form label of several words is recovered from the
# start of its line), an optional closing quote, then ":" or "=". Possessive, and tried only where a
# name starts, so one pass over the text is linear.
_KEY = re.compile(r"""(?<![\w.\-])(?P<key>[^\W\d][\w.\-]*+)["']?[ \t]*(?P<op>[:=])""")
_KEY_SPLIT = re.compile(r"[_.\-\s]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# --- what a field holds, by kind: whole words, and stems that may sit inside a compound -------

_WORDS: dict[str, frozenset[str]] = {
    "date_of_birth": _words(
        "dob bday birthday birthdate born geburtsdatum geburtstag gebdat nascimento nacimiento nascita"
        " naissance geboortedatum janam"
    ),
    "postal_address": _words(
        "address addr adresse adres anschrift direccion dirección endereco endereço indirizzo morada domicilio"
        " domicile street strasse straße calle"
    ),
    "health": _words(
        "dx diagnosis diagnoses diagnose diagnosen diagnostic diagnostico diagnóstico diagnosi medication"
        " medications meds medicine medicines medikament medikamente medikation medicament médicament"
        " médicaments medicaments medicamento medicamentos medicação medicacao farmaco farmaci medicatie"
        " medicijnen allergy allergies allergie allergien allergieën alergia alergias allergia prescription"
        " prescriptions illness illnesses disease diseases krankheit krankheiten erkrankung erkrankungen"
        " vorerkrankungen enfermedad enfermedades maladie maladies doença doenca malattia ziekte symptoms"
        " symptome síntomas sintomas symptômes icd icd10 bloodtype blutgruppe pathologie patologia"
    ),
    "financial": _words(
        "salary salaries gehalt jahresgehalt monatsgehalt bruttogehalt nettogehalt salaire sueldo salario"
        " salário salaris stipendio income einkommen revenu ingresos wage wages lohn ctc paycheck"
    ),
    "national_id": _words(
        "ssn passport passeport pasaporte passaporte passaporto reisepass paspoort dni nie cpf bsn aadhaar"
        " aadhar nhs tfn pesel curp personalausweis ausweis ausweisnummer cedula cédula taxid steuerid"
        " steuernummer sozialversicherungsnummer nationalid personnummer"
    ),
    "bank_account": _words("kontonummer rekeningnummer accountnumber acctno routing sortcode bsb ifsc"),
}
# Two-word names: both words in the key ("date" + "birth", "national" + "id", "account" + "no").
_PAIRS: dict[str, tuple[tuple[frozenset[str], frozenset[str]], ...]] = {
    "date_of_birth": (
        (
            frozenset({"birth", "geburt", "nacimiento", "naissance", "nascimento", "nascita"}),
            frozenset({"date", "day", "datum", "fecha", "data", "dt", "d"}),
        ),
    ),
    "health": (
        (
            frozenset({"condition", "conditions"}),
            frozenset({"medical", "patient", "health", "chronic", "preexisting", "existing", "pre"}),
        ),
    ),
    "national_id": (
        (
            frozenset({"national", "identity", "tax", "id", "steuer", "social", "insurance", "passport", "document"}),
            frozenset({"id", "number", "no", "nr", "num", "nummer", "numero", "número", "card", "idnr"}),
        ),
        (frozenset({"social"}), frozenset({"security"})),
    ),
    "bank_account": (
        (
            frozenset({"account", "acct", "acc", "konto", "cuenta", "conta", "rekening", "conto", "compte", "bank"}),
            frozenset({"number", "no", "nr", "num", "nummer", "numero", "número", "numéro"}),
        ),
        (frozenset({"sort"}), frozenset({"code"})),
    ),
}
# Field words that make the value something about the data, not the data itself.
_METADATA = _words(
    """
    id ids uuid type types kind count counts total version build enabled verified valid validated format regex
    pattern prefix suffix length len max min range avg average median mean band budget grade scale currency
    label hint placeholder template field fields url uri path file hash hashed digest salt policy mask masked
    last4 status flag required example sample test dummy fake default mock ip ipv4 ipv6 mac email mail server
    host hostname web wallet contract bind listen remote local memory mem base return hw btc eth bitcoin gateway
    proxy node peer network net socket broadcast smtp link pointer offset register reg virtual target source
    src dst dest redirect callback api public error errors key keys token secret password rate rates
    percent pct ratio share
    """
)
_NEGATIVE = _words(
    """
    none null nil n/a na no nein non keine kein ninguna ninguno nenhuma nenhum geen nessuna nessuno unknown
    false true yes - -- tbd todo pending unbekannt inconnu desconocido nil. none. ok normal
    """
)

_DIGITS = re.compile(r"\d")
_LETTER_WORD = re.compile(r"[^\W\d_]{3,}")
_HEALTH_TERM = re.compile(r"(?i)(?<!\w)(?:" + trie_pattern(HEALTH_TERMS) + ")")
_DOSE = re.compile(DOSE)
_VALUE = re.compile(r"""[ \t]*(?:(?P<qc>["'`])(?P<q>[^"'`\n]{1,200})(?P=qc)|(?P<bare>[^\n#"'`{}]{1,200}))""")
_ID_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]{4,30}[A-Za-z0-9]")
_ACCOUNT_SHAPE = re.compile(r"[A-Za-z0-9][0-9 -]{4,34}[0-9]")


def key_words(key: str) -> list[str]:
    """``customerBirthDate`` -> ["customer", "birth", "date"]; ``PATIENT_DX`` -> ["patient", "dx"]."""
    return [w.lower() for w in _KEY_SPLIT.split(key) if w]


@functools.lru_cache(maxsize=4096)  # pure; keys repeat (JSON logs, forms)
def key_kind(key: str) -> str | None:
    """The kind of personal data a field named ``key`` holds, or None."""
    words = set(key_words(key))
    if not words:
        return None
    for kind, names in _WORDS.items():
        if words & names:
            return None if words & _METADATA else kind
    for kind, pairs in _PAIRS.items():
        for first, second in pairs:
            named = words & (first | second)
            if words & first and words & second and len(named) >= 2:
                return None if (words - named) & _METADATA else kind  # "national_id_no"; not "tax_id_type"
    return None


def _date(value: str) -> bool:
    date = DATE_ML.search(value) or _ISO_DATE.search(value)
    return date is not None and date.start() < 4


_ISO_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01])(?!\d)")


def _address(value: str) -> bool:
    """A street with a number, or a house number, a capitalised name and a postcode ("see page 12" is not)."""
    if len(value) < 8 or "@" in value or "://" in value or not (" " in value or "," in value):
        return False
    return ADDRESS.search(value) is not None or (
        _HOUSE_NUMBER.search(value) is not None
        and _CAPITALISED.search(value) is not None
        and _POSTCODE.search(value) is not None
    )


def _health(value: str, structured: bool) -> bool:
    if _HEALTH_TERM.search(value) or _DOSE.search(value):
        return True
    return structured and bool(_LETTER_WORD.search(value)) and not _DIGITS.fullmatch(value)


def _money(value: str) -> bool:
    return len(_DIGITS.findall(value)) >= 2 and not _ISO_DATE.search(value)


def _national_id(value: str) -> bool:
    return (
        _ID_SHAPE.fullmatch(value) is not None
        and len(_DIGITS.findall(value)) >= 5
        and not _date(value)
        and len(set(value.replace(" ", "").replace("-", ""))) > 2
    )


def _account(value: str) -> bool:
    return _ACCOUNT_SHAPE.fullmatch(value) is not None and len(_DIGITS.findall(value)) >= 6 and not _date(value)


_SHAPES: dict[str, Callable[[str, bool], bool]] = {
    "date_of_birth": lambda v, s: _date(v),
    "postal_address": lambda v, s: _address(v),
    "health": _health,
    "financial": lambda v, s: s and _money(v),  # "Salary: 60-70k" heads a job advert
    "national_id": lambda v, s: _national_id(v),
    "bank_account": lambda v, s: _account(v),
}
_CONFIDENCE = {"date_of_birth": 0.85, "postal_address": 0.8, "health": 0.75, "financial": 0.75}


_LABEL_LINE = re.compile(r"[ \t\-*•|]*((?:[^\W\d][\w.'’\-]*[ \t]+){1,5})$")


def _key_start(m: re.Match[str]) -> tuple[str, bool, int] | None:
    """The key, whether it is structured (quoted, compound or upper-case: a machine's field, not a
    word in a sentence) and where it starts. A label of several words counts when it starts its
    line ("Date of birth:")."""
    text, start = m.string, m.start()
    key = m.group("key")
    before = text[start - 1 : start] if start else ""
    if before in ("$", "@", "/", "\\", "%", "&", "?", "<") or len(key) > 60:
        return None
    quoted = before in ("'", '"')
    compound = bool(_COMPOUND.search(key)) or (key.isupper() and len(key) > 3)
    if before in (" ", "\t") and key_kind(key) is None:  # "Date of birth:", "Fecha de nacimiento del titular:"
        line_start = text.rfind("\n", 0, start) + 1
        label = _LABEL_LINE.fullmatch(text, line_start, start) if start - line_start <= 60 else None
        if label is not None:
            key = label.group(1) + key
    return key, quoted or compound, start


_COMPOUND = re.compile(r"[_.\-]|[a-z][A-Z]")


def _value(m: re.Match[str]) -> tuple[str, int, int] | None:
    text = m.string
    if text[m.end() : m.end() + 1] in ("=", ":", "/", ">"):
        return None  # "==", "://", ":=", "=>"
    v = _VALUE.match(text, m.end())
    if v is None:
        return None
    if v.group("q") is not None:
        raw, start = v.group("q"), v.start("q")
    else:
        raw, start = v.group("bare"), v.start("bare")
        cut = re.search(r",[ \t]*[\"']?[^\W\d][\w.\-]{0,40}[\"']?[ \t]*[:=]|;|,?[ \t]*}|[ \t]+(?://|--|—)", raw)
        if cut:
            raw = raw[: cut.start()]
    value = raw.strip().rstrip(",")
    if not value or value.lower().strip(".") in _NEGATIVE or _is_placeholder(value) or value.startswith(("$", "%")):
        return None
    start += raw.find(value)
    return value, start, start + len(value)


def _field(m: re.Match[str]) -> tuple[str, float, int, int] | None:
    """(kind, confidence, value start, value end) of one ``key: value``, or None."""
    keyed = _key_start(m)
    if keyed is None:
        return None
    kind = key_kind(keyed[0])
    if kind is None:
        return None
    found = _value(m)
    if found is None or not _SHAPES[kind](found[0], keyed[1]):
        return None
    if kind == "postal_address" and _ORGANISATION.search(m.string, max(0, keyed[2] - 120), found[2] + 120):
        return None  # a store's, an office's or a warehouse's address: not a person's
    return kind, _CONFIDENCE.get(kind, 0.8), found[1], found[2]


# Every word that can name a field: a key's kind needs one of them as a word of the key (``key_kind``).
_STEMS = frozenset().union(*_WORDS.values(), *(first for pairs in _PAIRS.values() for first, _ in pairs))
_STEMS_AC = ahocorasick.Automaton()
for _stem in _STEMS:
    _STEMS_AC.add_word(_stem, _stem)
_STEMS_AC.make_automaton()


def _keys(text: str) -> Iterator[re.Match[str]]:
    """What ``_KEY.finditer(text)`` finds on the lines that can hold a field: those where one of
    ``_STEMS`` occurs as a word of a key could. A key, its form label and its value all stay on their
    line, so the other lines hold no field (tested in tests/unit/test_privacy_gates.py).

    ``key_words`` splits a key at separators (not letters or digits) and before a capital A-Z, so a
    word starts and ends there or at the key's ends, which a letter or digit never touches: "id" in
    "video" names nothing."""
    lowered = text.lower()
    if len(lowered) != len(text):  # lower() moved positions ("İ"): every line
        yield from _KEY.finditer(text)
        return
    scanned, last = 0, len(text) - 1
    for end, stem in _STEMS_AC.iter(lowered):
        start = end - len(stem) + 1
        if start < scanned:
            continue  # on a line already scanned
        if (start == 0 or not text[start - 1].isalnum() or "A" <= text[start] <= "Z") and (
            end == last or not text[end + 1].isalnum() or "A" <= text[end + 1] <= "Z"
        ):
            line_end = text.find("\n", end)
            scanned = len(text) if line_end < 0 else line_end
            yield from _KEY.finditer(text, text.rfind("\n", 0, start) + 1, scanned)


# The fields of the last text looked at, by the position of their ":" or "=": one pass serves every
# kind's rule (the scanner runs them one after another on the same text). Replaced whole, so threads
# that scan different texts at once only recompute.
_LAST: tuple[str | None, dict[int, tuple[str, float, int, int]]] = (None, {})


def fields(text: str) -> dict[int, tuple[str, float, int, int]]:
    """Every personal field of ``text``: {position of its ":" or "=": (kind, confidence, start, end)}."""
    global _LAST
    last = _LAST
    if last[0] is text:
        return last[1]
    found = {}
    for m in _keys(text):
        field = _field(m)
        if field is not None:
            found[m.start("op")] = field
    _LAST = (text, found)
    return found


def _validator(kind: str) -> Callable[[re.Match[str]], tuple[float, int, int] | None]:
    def check(m: re.Match[str]) -> tuple[float, int, int] | None:
        field = fields(m.string).get(m.start())
        return None if field is None or field[0] != kind else field[1:]

    return check


# Words too common inside other words to gate on ("id" in "video", "acc" in "accept", "nie"): keys
# named only by them ("id_no:", "acc_no:") are left to ``ids`` (its labels include them).
_TOO_COMMON = frozenset({"id", "acc", "nie"})


def _hints(kind: str) -> tuple[str, ...]:
    """Words one of which occurs in every key the rule can accept: without them it is not run."""
    stems = set(_WORDS[kind])
    for first, _ in _PAIRS.get(kind, ()):
        stems |= first
    return tuple(sorted(stems - _TOO_COMMON))


# Each kind's rule is tried at every ":" and "=" (a plain class: re finds them fast) and looks its
# field up in ``fields``; a text without any of its kind's words does not run it at all.
_OPERATOR = re.compile(r"[:=]")
RULES: tuple[Rule, ...] = tuple(
    Rule(kind, _OPERATOR, _validator(kind), hints=_hints(kind), digit=kind != "health") for kind in _SHAPES
)
