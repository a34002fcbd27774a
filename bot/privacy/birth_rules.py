"""Dates of birth: after a label always; in a story ("X was born on …") only with the speaker or
their family in the sentence, since a named person's birth date told as a fact is not the speaker's.

``DATE_ML`` reads dates in the supported languages ("12/03/1988", "1988-03-12", "3 de marzo de 1988",
"March 3rd, 1988", "9. Juli 1993").
"""

from __future__ import annotations

import re

from bot.privacy.lexicon import DOB_STORY_LABELS
from bot.privacy.rule import trie_pattern


def _line_after(m: re.Match[str], limit: int = 90) -> tuple[str, int]:
    text, end = m.string, m.end()
    stop = text.find("\n", end, end + limit)
    return text[end : stop if stop >= 0 else end + limit], end


# --- dates of birth ---------------------------------------------------------------------------

_MONTHS = trie_pattern(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "januar",
        "jänner",
        "februar",
        "märz",
        "mai",
        "juni",
        "juli",
        "oktober",
        "dezember",
        "janvier",
        "février",
        "fevrier",
        "mars",
        "avril",
        "juin",
        "juillet",
        "août",
        "aout",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "setiembre",
        "octubre",
        "noviembre",
        "diciembre",
        "janeiro",
        "fevereiro",
        "março",
        "maio",
        "junho",
        "julho",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
        "januari",
        "februari",
        "maart",
        "mei",
        "augustus",
        "gennaio",
        "febbraio",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "settembre",
        "ottobre",
        "dicembre",
    ]
)
DATE_ML = re.compile(
    r"""(?ix)(?<![\w.])(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2}|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}
    |\d{1,2}(?:st|nd|rd|th|er|º|°|\.)?[ ]+(?:de[ ]+|of[ ]+)?"""
    + _MONTHS
    + r""",?[ ]+(?:de[ ]+)?(?:19|20)\d{2}
    |"""
    + _MONTHS
    + r"""[ ]+\d{1,2}(?:st|nd|rd|th)?,?[ ]+(?:19|20)\d{2})(?![\w])"""
)
_STORY_SPEAKER = re.compile(
    r"(?i)\b(?:i|my|our|ich|mein\w*|unser\w*|je|mon|ma|notre|yo|mi|nuestr\w*|eu|meu|minha|nosso|ik|mijn|ons|onze"
    r"|io|mio|mia|sono|son|daughter|wife|husband|mom|mum|mother|dad|father|colleague|kid|child|baby|sohn|tochter"
    r"|fils|fille|hijo|hija|filho|filha|zoon|dochter|figlio|figlia|bin|suis|ben)\b"
)
_NAMED_SUBJECT = re.compile(r"[A-Z][\w'’.-]+(?:[ ](?:da|de|van|von|del|di)?[ ]?[A-Z][\w'’.-]+)*(?:'s|’s)?[ (]*$")


# The verb between a named subject and a story label: "X was born", "X est né le", "X è nata il",
# "X werd geboren op", "X ka janam".
_STORY_VERB = re.compile(r"(?i)(?:[ ,]+(?:was|is|est|è|é|e|ist|wurde(?:[ ]am)?|werd|ka|ki|fue|foi|era|a[ ]été|ha))+$")
_VERB_FINAL_DATE = re.compile(r"(?i)\b(?:am|op|on)[ ]+$")


def _date_before(m: re.Match[str]) -> tuple[float, int, int] | None:
    """German and Dutch put the verb last: "ich bin am 9. Juli 1993 geboren" (the speaker's only)."""
    start = max(0, m.start() - 40)
    for date in DATE_ML.finditer(m.string, start, m.start()):
        between = m.string[date.end() : m.start()]
        if between.strip() == "" and _VERB_FINAL_DATE.search(m.string, start, date.start()):
            sentence_start = max(m.string.rfind(c, 0, date.start()) for c in "!?\n") + 1
            if _STORY_SPEAKER.search(m.string, sentence_start, date.start()):
                return 0.85, date.start(), date.end()
    return None


def _check_dob(m: re.Match[str]) -> tuple[float, int, int] | None:
    if m.string[m.end() : m.end() + 1].isalpha():
        return None  # "nacional", "Geburtstagsfeier"
    window, offset = _line_after(m, 50)
    date = DATE_ML.search(window)
    if date is None or date.start() > 30:
        return _date_before(m) if m.group(0).lower().startswith("geboren") else None
    years = re.findall(r"(?:19|20)\d{2}", date.group(0))
    if years and not 1900 <= int(years[-1]) <= 2030:
        return None
    span = (offset + date.start(), offset + date.end())
    label = m.group(0).lower()
    if label.startswith(DOB_STORY_LABELS) or label.startswith("birthday"):
        sentence_start = max(m.string.rfind(c, 0, m.start()) for c in ".!?\n") + 1
        before = m.string[max(sentence_start, m.start() - 60) : m.start()]
        if not _STORY_SPEAKER.search(before) and _NAMED_SUBJECT.search(_STORY_VERB.sub("", before.rstrip(" ,"))):
            return 0.35, *span  # a named person's birth date told as a fact: not the speaker's data
    return 0.85, *span
