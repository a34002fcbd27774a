"""Features of one chat turn for the learned difficulty router (pure, no I/O).

Two parts, computed the same way at training time (benchmarks/routing_train.py) and at run time
(bot/routing_model.py):

* character 2-4-grams of the *request*: the message with fenced code, quoted lines and pasted
  log/code lines taken out, lower-cased, digits folded to 0, at most the first 200 and last 100
  characters (the ask sits at the start or the end of a message; this bounds the cost);
* dense, language-agnostic features: size in word equivalents (a Latin word, or two CJK
  characters — no tokenizer ships offline, and this count is what length in characters
  mis-measures in Japanese), pasted code and tracebacks, digits and operators, question
  structure, multilingual cue groups (bot/routing_cues.py) and the previous turn.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from bot.routing_cues import CUE_NAMES, CUES

HEAD_CHARS, TAIL_CHARS = 200, 100
NGRAM_SIZES = (2, 3, 4)
SHORT_WORDS = 8  # a follow-up this short leans on the turn before it


@dataclass(frozen=True)
class Previous:
    """The turn this one follows, as the router saw it."""

    score: float | None = None  # its calibrated probability (None: score ``text`` instead)
    cloud: bool = False  # it was answered by a cloud model
    disliked: bool = False  # its answer got 👎 or 🔁 (see bot.routing_model: a rule, not a weight)
    text: str = ""  # offline evaluation only: the bot passes ``score``, never text


_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_QUOTE = re.compile(r"^\s*>.*$", re.MULTILINE)
_CODE_LINE = re.compile(
    r"^\s*(?:def |class |import |from \S+ import|function |const |let |var |return\b|public |private |func |fn "
    r"|#include|if\s*\(|for\s*\(|while\s*\(|select |insert |update |create table|\}|\{)|[;{}]\s*$|^\s{4,}\S"
    r"|^\s*at [\w.$<>]+\(|^\d{4}-\d\d-\d\d[ T]\d\d:\d\d",
    re.IGNORECASE,
)
_TRACE = re.compile(
    r"Traceback \(most recent call last\)|Exception in thread|panicked at|goroutine \d+ \[|fatal error:"
    r"|^\w*(?:Error|Exception): |Segmentation fault|error\[E\d+\]|^\s+at [\w.$]+\(",
    re.MULTILINE,
)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W\d_\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# Words start with a space (the text is searched with spaces around words): a literal first
# character lets the regex engine skip ahead instead of trying every alternative everywhere.
_FACTORIAL = re.compile(r"\d\s*!|階乗|阶乘| factorial| fakultät| factorielle| fatorial")
_POWER = re.compile(r"\d\s*(?:\^|\*\*)\s*\d|\^\{?\w|乗|次方| squared| cubed|²|³")
_ARITH = re.compile(r"\d\s*[-+*/×÷]\s*\d|\d\s+x\s+\d")
_EQUATION = re.compile(r"[=<>≤≥](?=\s*[-\d(a-z])")  # starts with a character class: a fast scan
_PERCENT = re.compile(r"%|percent|prozent|pour ?cent|por ?cien|por ?cento|パーセント|百分")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+\S", re.MULTILINE)
_BULLET = re.compile(r"^\s*[-*•]\s+\S", re.MULTILINE)
_SENTENCE_END = re.compile(r"[.!?。！？]+(?:\s|$)")
_DIGIT = re.compile(r"\d")
_OPENING_MARKS = str.maketrans({c: " " for c in '¿¡«»“”„「」『』"`*/'})  # a cue word may follow one
SAMPLE_HEAD, SAMPLE_TAIL = 8000, 2000  # a 50 KB paste is judged by its ends, like bot.complexity


def split_request(text: str) -> tuple[str, int, int]:
    """(the request without pasted material, pasted code/log lines, fenced blocks)."""
    fences = _FENCE.findall(text)
    fenced_lines = sum(block.count("\n") + 1 for block in fences)
    rest = _QUOTE.sub(" ", _FENCE.sub(" ⟦code⟧ ", text))
    lines = rest.split("\n")
    pasted = 0
    if len(lines) > 2:
        kept = [ln for ln in lines if not _CODE_LINE.search(ln)]  # each line searched once
        pasted = len(lines) - len(kept)
        if pasted:
            rest = "\n".join(kept)
    return rest.strip(), fenced_lines + pasted, len(fences)


def cap(request: str) -> str:
    """The first 200 and last 100 characters: where the ask is, at a bounded cost."""
    if len(request) <= HEAD_CHARS + TAIL_CHARS:
        return request
    return request[:HEAD_CHARS] + " … " + request[-TAIL_CHARS:]


def normalise(capped: str) -> str:
    text = unicodedata.normalize("NFKC", capped).lower()
    text = _DIGIT.sub("0", text)
    return " " + " ".join(text.split()) + " "


def ngrams(normalised: str) -> set[str]:
    grams: set[str] = set()
    for n in NGRAM_SIZES:
        grams.update([normalised[i : i + n] for i in range(len(normalised) - n + 1)])  # a list: no generator steps
    grams.discard("  ")
    return grams


def word_equivalents(request: str) -> float:
    """Latin/Cyrillic/... words plus CJK characters / 2 (about two characters per word).

    Past 2,000 characters the count is extrapolated from the first 2,000 (bounded cost)."""
    sample = request[:2000]
    count = len(_WORD.findall(sample)) + len(_CJK.findall(sample)) / 2
    return count * len(request) / len(sample) if len(request) > len(sample) else count


def _bins(value: float, edges: tuple[float, ...]) -> list[float]:
    """One-hot over (-inf, e0], (e0, e1], ..., (e_last, inf)."""
    out = [0.0] * (len(edges) + 1)
    out[next((i for i, e in enumerate(edges) if value <= e), len(edges))] = 1.0
    return out


def _centred(p: float) -> float:
    """-1..1: linear in the probability, so a moderately mis-scored easy turn (0.2) still reads as easy."""
    return 2 * min(max(p, 0.0), 1.0) - 1


DENSE_NAMES: tuple[str, ...] = (
    *(f"words<={e}" for e in (3, 6, 12, 24, 48)),
    "words>48",
    "log_words",
    "log_chars",
    "cjk_share",
    *(f"code_lines<={e}" for e in (0, 5, 15)),
    "code_lines>15",
    "fenced",
    "inline_code",
    "traceback",
    *(f"numbers<={e}" for e in (0, 1, 3)),
    "numbers>3",
    "big_number",
    "factorial",
    "power",
    "arithmetic",
    "equation",
    "percent",
    *(f"questions<={e}" for e in (0, 1)),
    "questions>1",
    "numbered_list",
    "bullets",
    "sentences>2",
    *(f"cue:{name}" for name in CUE_NAMES),
    "has_prev",
    "prev_score",
    "prev_cloud",
    "short_followup",
    "prev_score*short",
    "prev_score*continuation",
    "prev_cloud*short",
)
_CONTINUATION = CUE_NAMES.index("continuation")
PREVIOUS_FEATURES = 7  # the last entries of DENSE_NAMES: zero when there is no previous turn


def dense(
    text: str, request: str, capped: str, pasted_lines: int, fences: int, previous: Previous | None
) -> list[float]:
    low = " " + " ".join(capped.lower().translate(_OPENING_MARKS).split()) + " "
    words = word_equivalents(request)
    numbers = _NUMBER.findall(capped)
    n_cjk = len(_CJK.findall(capped))
    questions = capped.count("?") + capped.count("？")
    values = [
        *_bins(words, (3, 6, 12, 24, 48)),
        math.log1p(words) / 5,
        math.log1p(len(text)) / 8,
        n_cjk / max(1, len(capped)),
        *_bins(pasted_lines, (0, 5, 15)),
        float(fences > 0),
        float(bool(_INLINE_CODE.search(capped))),
        float(bool(_TRACE.search(text[:4000]))),
        *_bins(len(numbers), (0, 1, 3)),
        float(any(len(n) >= 3 for n in numbers)),
        float(bool(_FACTORIAL.search(low))),
        float(bool(_POWER.search(low))),
        float(bool(_ARITH.search(low))),
        float(bool(_EQUATION.search(low))),
        float(bool(_PERCENT.search(low))),
        *_bins(questions, (0, 1)),
        float(len(_NUMBERED.findall(capped)) >= 2),
        float(len(_BULLET.findall(capped)) >= 3),
        float(len(_SENTENCE_END.findall(capped)) > 2),
    ]
    cues = [float(bool(latin.search(low) or (n_cjk and cjk and cjk.search(low)))) for _, latin, cjk in CUES]
    values += cues
    values += _previous(previous, words, continuation=cues[_CONTINUATION] > 0)
    return values


def _previous(previous: Previous | None, words: float, *, continuation: bool) -> list[float]:
    if previous is None or previous.score is None:
        return [0.0] * 7
    short = float(words <= SHORT_WORDS)
    centred = _centred(previous.score)
    cloud = float(previous.cloud)
    return [1.0, centred, cloud, short, centred * short, centred * float(continuation), cloud * short]


def features(text: str, previous: Previous | None = None) -> tuple[set[str], list[float]]:
    """(character n-grams of the request, dense features in DENSE_NAMES order)."""
    sample = text if len(text) <= SAMPLE_HEAD + SAMPLE_TAIL else text[:SAMPLE_HEAD] + "\n" + text[-SAMPLE_TAIL:]
    request, pasted_lines, fences = split_request(sample)
    capped = cap(request)
    return ngrams(normalise(capped)), dense(text, request, capped, pasted_lines, fences, previous)
