"""A question in words → the content words an index searches for (any of them; BM25 ranks passages holding
more and rarer ones first). Pure."""

from __future__ import annotations

import re

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
MAX_TERMS = 24
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just let me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves i'm it's what's tell explain please know say get got give
    use using used""".split()  # noqa: SIM905 - a word list reads better as text
)


def content_words(question: str) -> list[str]:
    words: list[str] = []
    for match in WORD.finditer(question.lower()):
        word = match.group().replace("’", "'")
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        if word not in words:
            words.append(word)
    return words[:MAX_TERMS]
