"""Street addresses as a structure, in the formats of the supported countries, tied to a person.

The regex finds a street with a house number in one of two orders — number first ("27 Birchwood
Avenue", "12 rue des Lilas") or street first ("Lindenstraße 14", "Calle de Alcalá 112", "Via
Garibaldi 27", "Rua Augusta, 1508", "Prinsengracht 263-2") — and an optional postcode and city
("50674 Köln", "1016 GV Amsterdam", "LS6 2AB", "01304-001", "IL 60302"). The validator then looks
for what ties it to a person in the 120 characters before it: "my address", "I live", "ship it
to", a form label such as "Lieferadresse:" or ``"shipping_address":``, or a person's name on the
line before ("Anna Kowalski, 27 …"). An office, a museum, a warehouse or a venue is not.
"""

from __future__ import annotations

import re

import ahocorasick

from bot.privacy.lexicon import ADDRESS_CUES
from bot.privacy.rule import Rule, label_rule

_NUMBER_FIRST_TYPES = r"""rue|avenue|av\.|bd|boulevard|place|impasse|allée|allee|chemin|quai|cours|route"""
_STREET_TYPES = r"""street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|terrace|close
    |crescent|square|sq|parkway|pkwy|highway|hwy|row|gardens|grove|hill|mews|walk|park"""
_STREET_FIRST_WORDS = r"""calle|c/|avda\.?|avenida|av\.|paseo|plaza|pza\.|camino|ronda|carrer|travesía|via|viale|piazza
    |corso|largo|vicolo|piazzale|rua|travessa|praça|alameda|estrada|am|an[ ]der|im|auf[ ]dem|zum|zur"""
_COMPOUND_ENDINGS = r"""straße|strasse|str\.|weg|allee|gasse|platz|ring|damm|ufer|chaussee|gracht|straat|laan|kade
    |plein|singel|dijk|steeg|markt"""
_NAME_WORD = r"(?:[A-ZÀ-Ý][\w'’.-]*|de|del|la|las|los|da|do|dos|das|di|des|du|le|van|der|den|von)\b"
_POSTCODE_CITY = r"""(?:,?[ ]*(?:-[ ]*)?
    (?:\d{5}(?:-\d{3,4})?|\d{4}[ ]?[A-Z]{2}|\d{4}-\d{3}|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}|[A-Z]{2}[ ]\d{5}|\d{6})
    (?:[ ]+[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:[ ][A-ZÀ-Ý][a-zà-ÿ'’-]+)?)?)"""
_CITY_THEN_CODE = r"""(?:,[ ]*[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:[ ][A-ZÀ-Ý][a-zà-ÿ'’-]+)?(?:[ ]*[-,]?[ ]*(?:[A-Z]{2}[ ])?
    (?:\d{5}(?:-\d{3,4})?|\d{6}|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}|[A-Z]{2}))?)"""
_UNIT = r"(?:,?[ ]*(?i:apt|apto|flat|unit|suite|piso|bus|\d+º|\d+°)\.?[ ]*\w+(?:[ ]\w)?)?"

ADDRESS = re.compile(
    r"""(?x)
    (?:(?<![\w.,-])\d{1,5}[a-zA-Z]?(?:[ ](?:bis|ter))?,?[ ]+
        (?:(?i:"""
    + _NUMBER_FIRST_TYPES
    + r""")[ ]+"""
    + _NAME_WORD
    + r"""(?:[ ]"""
    + _NAME_WORD
    + r"""){0,4}
          |(?:[A-Z][\w'’.-]*[ ]+){1,4}(?i:"""
    + _STREET_TYPES
    + r""")\b\.?)
      |(?<![\w])(?:(?i:"""
    + _STREET_FIRST_WORDS
    + r""")[ ]+(?:"""
    + _NAME_WORD
    + r"""[ ]){0,4}"""
    + _NAME_WORD
    + r"""
          |[A-ZÄÖÜ][\wäöüß'-]*(?i:"""
    + _COMPOUND_ENDINGS
    + r"""))
        ,?[ ]+\d{1,5}[a-zA-Z]?(?:[-/]\d{1,4}[a-zA-Z]?)?\b)
    """
    + _UNIT
    + r"(?:"
    + _POSTCODE_CITY
    + r"|"
    + _CITY_THEN_CODE
    + r")?"
)
_ADDRESS_DIGIT = re.compile(r"\d")

_ORGANISATION = re.compile(
    r"""(?ix)\b(?:office|hq|headquarters|head[ ]office|museum|museo|musée|store|shop|warehouse|depot|venue|event
    |branch|conference|konferenz|conférence|conferencia|conferência|congress|kongress|messe|expo|filiale|büro|bureau|oficina|escrit[oó]rio|kantoor|ufficio|sede|tienda|loja|winkel|negozio|lager
    |entrepôt|almac[eé]n|armaz[eé]m|magazzino|restaurant|hotel|hospital|school|university|company|firma|empresa
    |located|situ[eé]|se[ ]trouve|est[aá][ ]en|ligt[ ]aan|si[ ]trova|fica[ ]n|steht|befindet)\b"""
)
# A person's name right before the address: "Anna Kowalski, 27 …", "Mme Camille Moreau, 8 …".
# Reads as (?:(?:Mr|Mrs|Ms|Mme|Dr|Sr|Sra|Herr|Frau)\.?[ ])?[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:[ ][A-ZÀ-Ý][a-zà-ÿ'’-]+){1,2},[ ]*
# with the same alternatives in the same order, spelled to start with a character class (every title
# starts with a capital) so that re skips ahead to capitals instead of trying every position.
_NAME_BEFORE = re.compile(
    r"[A-ZÀ-Ý](?:(?:(?<=M)(?:r|rs|s|me)|(?<=D)r|(?<=S)(?:r|ra)|(?<=H)err|(?<=F)rau)\.?[ ][A-ZÀ-Ý])?"
    r"[a-zà-ÿ'’-]+(?:[ ][A-ZÀ-Ý][a-zà-ÿ'’-]+){1,2},[ ]*"
)


_WINDOW = 160


def _literals(alternatives: str) -> list[str]:
    """The street words of one list above as plain text (the optional dot left out, ``\\.`` as ".")."""
    return [a.strip().replace("\\.?", "").replace("\\.", ".").replace("[ ]", " ") for a in alternatives.split("|")]


def _street_words() -> ahocorasick.Automaton:
    """Every street word of ``ADDRESS``, with its length and the lists it is in."""
    lists = {
        "number_first": _literals(_NUMBER_FIRST_TYPES),
        "type": _literals(_STREET_TYPES),
        "first": _literals(_STREET_FIRST_WORDS),
        "ending": _literals(_COMPOUND_ENDINGS),
    }
    automaton = ahocorasick.Automaton()
    for word in {w for words in lists.values() for w in words}:
        automaton.add_word(word, (len(word), frozenset(name for name, words in lists.items() if word in words)))
    automaton.make_automaton()
    return automaton


_STREET_WORDS = _street_words()
_WORD_PUNCTUATION = "_'’.-"  # with letters and digits, what a capitalised word before a street type holds
# Letters re's IGNORECASE matches to an ASCII letter that lower() does not lower to one: "İ" (lower()
# makes it two characters), dotless "ı", long "ſ".
_CASE_FOLDS = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})


def _before_spaces(part: str, i: int) -> int:
    """The index of the last character before the spaces that end at ``i``; -1 without a space."""
    k = i - 1
    if k < 0 or part[k] != " ":
        return -1
    while k >= 0 and part[k] == " ":
        k -= 1
    return k


def _after_spaces(part: str, j: int) -> int:
    """The index of the first character after the spaces that start at ``j``; -1 without a space."""
    if part[j : j + 1] != " ":
        return -1
    while part[j : j + 1] == " ":
        j += 1
    return j


def _number_first(part: str, i: int, j: int) -> bool:
    """ "12 rue des Lilas", "7b, avenue Foch", "3 ter place …": a number, then the type, then a name."""
    k = _before_spaces(part, i)
    if k > 0 and part[k] == ",":
        k -= 1
    if k < 0 or not (
        part[k].isdigit()
        or (part[k].isalpha() and k > 0 and part[k - 1].isdigit())
        or part[k - 2 : k + 1] in ("bis", "ter")
    ):
        return False
    return _name_first(part, j)


def _name_first(part: str, j: int) -> bool:
    """A name word after spaces: a capital or a particle (de, la, van, …)."""
    k = _after_spaces(part, j + 1 if part[j : j + 1] == "." else j)
    return k >= 0 and k < len(part) and ("A" <= part[k] <= "Z" or "À" <= part[k] <= "Ý" or part[k] in "dlv")


def _capitalised_before(part: str, i: int, j: int) -> bool:
    """ "Birchwood Avenue": a capitalised word, spaces, the type as a word of its own."""
    if j < len(part) and (part[j].isalnum() or part[j] == "_"):
        return False
    k = _before_spaces(part, i)
    if k < 0 or not (part[k].isalnum() or part[k] in _WORD_PUNCTUATION):
        return False
    while k > 0 and (part[k - 1].isalnum() or part[k - 1] in _WORD_PUNCTUATION):
        k -= 1
    return "A" <= part[k] <= "Z"


def _number_after(part: str, j: int) -> bool:
    """ "Lindenstrasse 14", "Keizersgracht, 123": the ending, an optional comma, spaces, a number."""
    k = _after_spaces(part, j + 1 if part[j : j + 1] == "," else j)
    return k >= 0 and part[k : k + 1].isdigit()


def may_hold_address(text: str, start: int, end: int) -> bool:
    """Cheap necessary test for ``ADDRESS.search(text, start, end)``: an address holds a digit and a
    street word in one of the regex's places for it: after a number ("12 rue des Lilas") or a
    capitalised word ("Baker Street"), before a name ("Calle Mayor 5"), or ending a name before its
    number ("Lindenstraße 14"). Street words match case-insensitively (tested in
    tests/unit/test_privacy_gates.py)."""
    part = text[start:end]
    if _ADDRESS_DIGIT.search(part) is None:
        return False
    lowered = part.lower() if part.isascii() else part.translate(_CASE_FOLDS).lower()
    if len(lowered) != len(part):
        return True  # lower() moved positions
    for stop, (length, lists) in _STREET_WORDS.iter(lowered):
        i, j = stop - length + 1, stop + 1  # the word is part[i:j]
        if i and (part[i - 1].isalnum() or part[i - 1] == "_") and "ending" not in lists:
            continue  # inside a word
        if (
            ("number_first" in lists and _number_first(part, i, j))
            or ("type" in lists and _capitalised_before(part, i, j))
            or ("first" in lists and _name_first(part, j))
            or ("ending" in lists and _number_after(part, j))
        ):
            return True
    return False


def _address_after(m: re.Match[str], within: int) -> re.Match[str] | None:
    """The first address starting at most ``within`` characters after the match."""
    if not may_hold_address(m.string, m.end(), m.end() + _WINDOW):
        return None
    address = ADDRESS.search(m.string, m.end(), m.end() + _WINDOW)
    if address is None or address.start() - m.end() > within:
        return None
    if len(_ADDRESS_DIGIT.findall(address.group(0))) > 12:
        return None  # a table of numbers, not an address
    if _ORGANISATION.search(m.string, m.end(), address.start()):
        return None  # "my office is at …", "our museum is located at …"
    return address


# Postcodes that end an address line: Indian PIN, Japanese 〒, UK, US ZIP(+4) after a state, Brazilian
# CEP, Dutch, Portuguese, Polish, and five digits before a city (DE, FR, ES, IT, …).
_POSTCODE = re.compile(
    r"""(?x)(?<![\w-])(?:〒[ ]?\d{3}-\d{4}|[1-9]\d{2}[ ]?\d{3}(?![\w-])|[A-Z]{1,2}\d[A-Z\d]?[ ]\d[A-Z]{2}\b
    |[A-Z]{2}[ ]\d{5}(?:-\d{4})?\b|\d{5}-\d{3}\b|\d{4}[ ]?[A-Z]{2}\b|\d{4}-\d{3}\b|\d{2}-\d{3}\b
    |\d{5}[ ]+[A-ZÀ-Ý][a-zà-ÿ]+)"""
)
# A house number: "42", "12B", "H.No. 42", "Flat 3", "No: 45", "Nr. 7", "nº 12", "84/92", "3-12-8".
_HOUSE_NUMBER = re.compile(
    r"(?i)(?<![\w.-])(?:h\.?[ ]?no\.?|flat|house[ ]no\.?|plot|no\.?:?|nr\.?|n[º°])?[ ]?\d{1,5}[a-z]?(?:[-/]\d{1,4})*(?![\w-]|\.\d)"
)
_CAPITALISED = re.compile(r"(?<![\w])[A-ZÀ-Ý][a-zà-ÿ]{2,}")


def _loose_address(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A line ending in a postcode with a house number and a capitalised name before it: an address in
    a format the street regex does not know ("H.No. 42, Sector 15, Gurugram 122001", "Lange Voorhout 9,
    2514 EA Den Haag"). Searched in ``text[start:end]``, within one line."""
    for code in _POSTCODE.finditer(text, start, end):
        if code.group(0).startswith("〒"):  # the Japanese postal mark opens an address
            stop = text.find("\n", code.end(), code.end() + 60)
            return code.start(), stop if stop >= 0 else min(len(text), code.end() + 60)
        line_start = max(start, text.rfind("\n", 0, code.start()) + 1)
        head = text[line_start : code.start()]
        lead = len(head) - len(head.lstrip(" \t:,-—–>"))
        numbers = [n for n in _HOUSE_NUMBER.finditer(head) if n.start() >= lead]
        name = _CAPITALISED.search(head, lead)
        if numbers and name and len(head) - lead <= 110 and not _ORGANISATION.search(head):
            return line_start + min(numbers[0].start(), name.start()), code.end()
    return None


def _address_before(m: re.Match[str]) -> tuple[int, int] | None:
    """An address that ends just before the cue: "22 boulevard Voltaire, 75011 Paris, c'est chez moi"."""
    text, start = m.string, max(0, m.start() - _WINDOW)
    last = None
    if may_hold_address(text, start, m.start()):
        for address in ADDRESS.finditer(text, start, m.start()):
            last = address
    if last is not None and m.start() - last.end() <= 40 and not _ORGANISATION.search(text, last.end(), m.start()):
        return last.span()
    loose = _loose_address(text, text.rfind("\n", 0, m.start()) + 1, m.start())
    return loose if loose is not None and m.start() - loose[1] <= 40 else None


def _check_cue(m: re.Match[str]) -> tuple[float, int, int] | None:
    address = _address_after(m, 90)
    if address is not None:
        return 0.85, *address.span()
    stop = m.string.find("\n", m.end(), m.end() + _WINDOW)
    loose = _loose_address(m.string, m.end(), stop if stop >= 0 else m.end() + _WINDOW)
    if loose is not None and loose[0] - m.end() <= 40 and not _ORGANISATION.search(m.string, m.end(), loose[0]):
        return 0.8, *loose
    found = _address_before(m)
    return None if found is None else (0.8, *found)


def _check_named(m: re.Match[str]) -> tuple[float, int, int] | None:
    """A name, then straight away an address: a recipient line ("Anna Kowalski, 27 Birchwood Avenue")."""
    address = _address_after(m, 0)
    if address is None or _ORGANISATION.search(m.string, max(0, m.start() - 60), m.start()):
        return None  # "the conference is at Messe Berlin, Messedamm 22": a venue
    return 0.8, *address.span()


# The cue (or the name) is found first, cheaply; the address regex only runs in the text after it.
RULES: tuple[Rule, ...] = (
    label_rule("postal_address", ADDRESS_CUES, _check_cue, digit=True),
    Rule("postal_address", _NAME_BEFORE, _check_named, digit=True, hints=(",",)),
)
