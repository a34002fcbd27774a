"""How hard is this chat turn? A cheap, explainable estimate used to pick local vs cloud.

``score(text, history_turns=..., context_chars=...)`` returns a value in [0, 1] and the names
of the signals that fired. A value >= ``DEFAULT_THRESHOLD`` (0.6) suggests the cloud model,
*only when privacy allows*: the privacy check (bot.privacy) runs first and always wins.

Each signal measures a strength in [0, 1]; ``SIGNALS`` gives its weight, i.e. how likely the
signal alone makes a turn too hard for the local model. Signals combine as a noisy-OR,
``1 - prod(1 - weight * strength)``, so one strong signal can carry a turn, several weak ones
add up, and the result never leaves [0, 1]. Damping signals then scale the result down.

Raising signals:

* ``code``: a fenced block, several code-like lines, a request to write/fix/refactor code, or
  dense technical vocabulary (inline code alone is weak: "what does `ls -la` do?").
* ``stack_trace``: a pasted Python/Java/Go/Rust/JS traceback or panic, i.e. debugging.
* ``math``: LaTeX, "prove"/"derive"/"integral"/"eigenvalues", equations with variables.
* ``multi_step``: a numbered or bulleted task list, "step by step", "first ... then ...".
* ``analysis``: compare, trade-offs, analyze, pros and cons, why does, design, evaluate, ...
* ``long_form``: writing a report, proposal, post-mortem, blog post, essay, N-word piece.
* ``length``: message length, log-scaled from 80 characters (0) to 2,000 (1).
* ``long_context``: size of the context sent along, log-scaled from 2,000 to 64,000 chars.
* ``depth``: conversation depth, linear up to 20 prior turns.

Damping signals (multipliers):

* ``small_talk``: greetings, thanks, acknowledgements and nothing else.
* ``short_question``: one short question without a strong cue ("what's the capital of
  Australia?", "why is the sky blue?"; but not "Prove Fermat's little theorem.").

Only the first 8,000 characters (minus a 2,000-character tail) feed the text detectors, which
bounds the cost of a huge paste; ``length`` still sees the full size. Weights were set by hand
and checked against benchmarks/data/prompts.jsonl (see benchmarks/complexity_eval.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

DEFAULT_THRESHOLD = 0.6
_SAMPLE_CHARS = 8000


@dataclass(frozen=True)
class ComplexityScore:
    value: float  # 0..1; >= DEFAULT_THRESHOLD suggests the cloud model
    signals: tuple[str, ...]  # names from SIGNALS that fired: raising ones strongest first, then damping


@dataclass(frozen=True)
class Signal:
    weight: float  # raising: chance the signal alone makes the turn complex; damping: multiplier
    description: str
    damping: bool = False


SIGNALS: dict[str, Signal] = {
    "code": Signal(0.6, "code block, code-like lines, a code-writing request or dense tech terms"),
    "stack_trace": Signal(0.7, "pasted traceback, panic or exception dump"),
    "math": Signal(0.8, "LaTeX, proofs, derivations, integrals, equations"),
    "multi_step": Signal(0.55, "numbered/bulleted tasks, 'step by step', 'first ... then'"),
    "analysis": Signal(0.7, "compare, trade-offs, analyze, pros and cons, why does, design"),
    "long_form": Signal(0.6, "write a report, proposal, post-mortem, article, N-word piece"),
    "length": Signal(0.5, "message length, log-scaled 80..2000 chars"),
    "long_context": Signal(0.4, "context size, log-scaled 2k..64k chars"),
    "depth": Signal(0.15, "conversation depth, linear up to 20 turns"),
    "small_talk": Signal(0.2, "greeting, thanks or acknowledgement only", damping=True),
    "short_question": Signal(0.7, "one short question", damping=True),
}

# --- detectors: text -> strength in [0, 1] -------------------------------------------------

_FENCE = re.compile(r"```")
_CODE_LINE = re.compile(
    r"""^\s*(?:def|class|import|from\s+\w+\s+import|function|const|let|var|public|private|func|fn
        |\#include|return|if\s*\(|for\s*\(|while\s*\(|SELECT|INSERT|UPDATE|CREATE\s+TABLE|package)\b
      | [;{}]\s*$ | =>\s*[{(]? | ^\s*[\w.]+\(.*\)\s*$""",
    re.MULTILINE | re.VERBOSE,
)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_CODE_REQUEST = re.compile(
    r"""(?i)\b(?:write|implement|build|create|refactor|fix|debug|optimi[sz]e|translate|port|rewrite|test)\b
        .{0,60}?\b(?:function|script|class|method|module|regex|query|migration|endpoint|api|service
        |program|code|tests?|crawler|parser|cache|library|cli)\b""",
    re.VERBOSE,
)
_TECH_TERMS = re.compile(
    r"""(?i)\b(?:python|javascript|typescript|java|rust|golang|go\s+service|sql|postgres(?:ql)?|mysql
        |mongo(?:db)?|redis|kafka|rabbitmq|kubernetes|k8s|pods?|docker|aws|gcp|azure|react|django
        |node(?:\.js)?|api|endpoint|database|db|schema|index(?:es)?|query|latency|p99|throughput
        |cache|threads?|async|goroutines?|jvm|heap|memory|deploy(?:ment)?|microservices?|regex
        |algorithm|complexity|o\(n[^)]*\)|ci|pipeline|cluster|shard(?:ing)?|replicas?|component
        |props|callback|compiler|runtime|concurrency|lock(?:ing)?|transactions?|tls|http|grpc
        |terraform|s3|vpc|iam|monorepo|multiprocessing|race\ condition|deadlock|webpack|graphql
        |oauth|sso|saml|oidc|linux|nginx|load\ balancer|queue|worker|orm|migrations?)\b""",
    re.VERBOSE,
)
_TRACE = re.compile(
    r"""Traceback\ \(most\ recent\ call\ last\) | ^\s+File\ ".+",\ line\ \d+ | Exception\ in\ thread
      | ^\s+at\ [\w.$<>]+\(.*\) | panicked\ at | stack\ backtrace | goroutine\ \d+\ \[
      | ^\w*(?:Error|Exception):\ | Segmentation\ fault | error\[E\d+\]""",
    re.MULTILINE | re.VERBOSE,
)
_MATH_STRONG = re.compile(
    r"""(?i)\\(?:int|frac|sum|sqrt|lim|begin|partial|prod)\b | \$\$ | \b(?:prove|proof|derive|derivation
        |integral|integrate|eigen\w*|theorem|lemma|by\ induction|posterior|gaussian\ elimination
        |show\ that|expected\ (?:number|value)|markov|combinatori\w*)\b""",
    re.VERBOSE,
)
_MATH_WEAK = re.compile(
    r"""(?i)\b(?:solve\ for|equations?|derivative|gradient|matrix|probability|closed\ form|variance
        |logarithm|polynomial|vector\ space)\b | \b[a-z]\^\d | \b\d*[a-z]\s*[+\-*/]\s*\d*[a-z]\b\s*=""",
    re.VERBOSE,
)
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+\S", re.MULTILINE)
_BULLET = re.compile(r"^\s*[-*•]\s+\S", re.MULTILINE)
_STEP_WORDS = re.compile(r"(?i)\bstep[- ]by[- ]step\b|\bwalk me through\b|\b\d+[- ]step\b")
_SEQUENCE = re.compile(r"(?i)\b(?:first|then|after that|next|finally|and finally)\b")
_ANALYSIS = re.compile(
    r"""(?i)\b(?:compar\w*|contrast|trade-?offs?|analy[sz]\w*|pros\ and\ cons|evaluat\w*|assess\w*
        |critique|review|design|architect\w*|justify|recommend\w*|implications|root\ cause
        |investigat\w*|diagnos\w*|debug\w*|optimi[sz]\w*|benchmark\w*|versus|vs\.?|which\ is\ better
        |why\ (?:does|do|is|are|would|did)|how\ would\ you|explain\ (?:how|why)|in\ detail|deep\ dive
        |strateg\w*|scal(?:e|ability|able)|edge\ cases|failure\ modes?|plan|how\ should\ (?:i|we)
        |(?:requests|writes|reads|events|messages)\ per\ second|qps|rps|millions\ of)\b""",
    re.VERBOSE,
)
_LONG_FORM = re.compile(
    r"""(?i)\b(?:write|draft|compose|prepare)\b.{0,40}?\b(?:essay|report|article|blog\ post|proposal
        |post-?mortem|whitepaper|spec|design\ doc|chapter|documentation|write-?up|study\ plan)\b
      | \b\d{3,5}[- ]words?\b""",
    re.VERBOSE,
)
_SMALL_TALK = re.compile(
    r"""(?ix)^\W*(?:hi|hey|hello|yo|sup|hiya|howdy|good\ (?:morning|afternoon|evening|night)|thanks?
        |thank\ you|thx|ty|cheers|ok(?:ay)?|cool|nice|great|awesome|lol|haha|bye|see\ you|gm|gn
        |what'?s\ up|how'?s\ it\ going|how\ are\ you|have\ a\ (?:good|great|nice)|happy\ \w+)\b"""
)


def _code(text: str) -> float:
    if _FENCE.search(text):
        return 1.0
    code_lines = len(_CODE_LINE.findall(text))
    if code_lines >= 2:
        return 1.0
    strength = 0.7 if _CODE_REQUEST.search(text) else 0.0
    terms = {t.lower() for t in _TECH_TERMS.findall(text)}
    if len(terms) >= 2:
        strength = max(strength, min(1.0, 0.3 + 0.15 * len(terms)))
    if code_lines or _INLINE_CODE.search(text):
        strength = max(strength, 0.3)
    return strength


def _stack_trace(text: str) -> float:
    return 1.0 if _TRACE.search(text) else 0.0


def _math(text: str) -> float:
    if _MATH_STRONG.search(text):
        return 1.0
    return 0.5 if _MATH_WEAK.search(text) else 0.0


def _multi_step(text: str) -> float:
    if len(_NUMBERED.findall(text)) >= 2:
        return 1.0
    strength = 0.0
    if len(_BULLET.findall(text)) >= 3:
        strength = 0.8
    if _STEP_WORDS.search(text):
        strength = max(strength, 0.8)
    sequence = {w.lower() for w in _SEQUENCE.findall(text)}
    if len(sequence) >= 2:
        strength = max(strength, 0.7)
    # Several requirements in one request: "compress X, delete Y, and send Z".
    if text.count(",") + text.count(" and ") >= 3 and len(text) > 100:
        strength = max(strength, 0.5)
    return strength


def _analysis(text: str) -> float:
    cues = {c.lower() for c in _ANALYSIS.findall(text)}
    return {0: 0.0, 1: 0.6, 2: 0.85}.get(len(cues), 1.0)


def _long_form(text: str) -> float:
    return 1.0 if _LONG_FORM.search(text) else 0.0


def _log_scale(x: float, low: float, high: float) -> float:
    """0 at ``low`` or below, 1 at ``high`` or above, logarithmic in between."""
    if x <= low:
        return 0.0
    return min(1.0, math.log(x / low) / math.log(high / low))


def _small_talk(text: str) -> bool:
    return len(text) < 80 and bool(_SMALL_TALK.match(text))


_QUESTION_START = re.compile(r"(?i)^(?:what|who|when|where|which|how|is|are|can|do|does|why|should)\b")


def _short_question(text: str) -> bool:
    stripped = text.strip()
    if len(stripped) >= 70 or "\n" in stripped or stripped.count("?") > 1:
        return False
    return stripped.endswith("?") or bool(_QUESTION_START.match(stripped))


def score(text: str, *, history_turns: int = 0, context_chars: int = 0) -> ComplexityScore:
    """Estimate the complexity of one chat turn; see the module docstring for the signals."""
    # The cues sit in the request, not in the middle of a 50 KB paste: bound the regex work.
    sample = text if len(text) <= _SAMPLE_CHARS else text[: _SAMPLE_CHARS - 2000] + "\n" + text[-2000:]
    strengths = {
        "code": _code(sample),
        "stack_trace": _stack_trace(sample),
        "math": _math(sample),
        "multi_step": _multi_step(sample),
        "analysis": _analysis(sample),
        "long_form": _long_form(sample),
        "length": _log_scale(len(text), 80, 2000),
        "long_context": _log_scale(context_chars, 2000, 64000),
        "depth": min(1.0, max(0, history_turns) / 20),
    }
    contributions = {n: SIGNALS[n].weight * s for n, s in strengths.items() if s > 0}
    not_complex = math.prod(1.0 - c for c in contributions.values())
    value = 1.0 - not_complex

    # Damping: chit-chat, and short questions without a strong cue ("why is the sky blue?",
    # but not "Prove Fermat's little theorem.").
    damping: dict[str, float] = {}
    if _small_talk(text) and not contributions.keys() - {"length", "long_context", "depth"}:
        damping["small_talk"] = SIGNALS["small_talk"].weight
    elif _short_question(text) and max(contributions.values(), default=0.0) < 0.5:
        damping["short_question"] = SIGNALS["short_question"].weight
    value *= math.prod(damping.values())

    fired = tuple(sorted(contributions, key=lambda n: -contributions[n])) + tuple(damping)
    return ComplexityScore(value=round(min(1.0, max(0.0, value)), 4), signals=fired)
