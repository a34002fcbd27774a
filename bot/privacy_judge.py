"""An optional second opinion from a local model on borderline messages (issue 10, item 6).

With ``privacy.judge = "local"``, a message the rules find borderline (``privacy.borderline``: a
finding just below the threshold, or a context word such as "password", "IBAN", "diagnosed" or
"salary" with no value the rules could validate) is shown to a *local* model with a short fixed
prompt. Its verdict can only make the turn more private, never less: SECRET or PERSONAL mark the
message as if the rules had found that; OK changes nothing. No verdict within ``privacy.judge_budget``
seconds, an error, no healthy local model or an answer that is none of the three words counts as
SECRET (fail closed). Only local models judge: the message is private until judged. Messages the
rules already keep local, and conversations that are local anyway, are not judged.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot import privacy
from bot.catalog import Catalog
from bot.config import PrivacyConfig
from bot.marks import CONTENT_REASONS, Classified
from bot.providers.base import ChatMessage
from bot.router import privacy_reasons
from bot.routing_judge import ask_local

JUDGE_INSTRUCTIONS = (
    "You check messages in a team chat before they may be sent to an outside service. Reply with exactly one word.\n"
    "SECRET: it contains or gives away a password, key, token or other credential.\n"
    "PERSONAL: it discloses private data about a person - contact details, an id or account number, health, "
    "money, an address or a birth date.\n"
    "OK: nothing of that (questions about such things in general are OK)."
)
MAX_MESSAGE_CHARS = 2000
_VERDICT = re.compile(r"\b(secret|personal|ok)\b", re.IGNORECASE)


def judge_prompt(text: str) -> list[ChatMessage]:
    return [
        ChatMessage("system", JUDGE_INSTRUCTIONS),
        ChatMessage("user", f"Message:\n<<<\n{text[:MAX_MESSAGE_CHARS]}\n>>>\nOne word, SECRET, PERSONAL or OK:"),
    ]


def parse_verdict(answer: str | None) -> str:
    """ "secret", "personal" or "ok"; anything unclear (or no answer) is "secret": fail closed."""
    found = {m.lower() for m in _VERDICT.findall((answer or "")[:200])}
    return found.pop() if len(found) == 1 else "secret"


def should_judge(config: PrivacyConfig, seen: Classified, text: str) -> bool:
    return config.judge == "local" and not privacy_reasons(seen.request) and privacy.borderline(text)


def apply_verdict(seen: Classified, verdict: str, level: str) -> Classified:
    """The message's classification after the judge: only ever more private."""
    if verdict == "ok":
        return seen
    if level == "redact":
        # No span to replace: the message never enters a cloud prompt (stored local-only) and this turn is
        # answered locally; the conversation is not locked to local (the redact level's promise).
        request = replace(seen.request, sensitive=True, secret=True, stored_private=True)
        return replace(seen, request=request, local_only=True)
    request = replace(seen.request, sensitive=True, secret=seen.request.secret or verdict == "secret")
    reasons = privacy_reasons(request)
    return replace(seen, request=request, keep_local=seen.keep_local or any(r in CONTENT_REASONS for r in reasons))


async def second_opinion(catalog: Catalog, config: PrivacyConfig, preferred_local: str, text: str) -> str:
    """ "secret", "personal" or "ok" from a local model (the preferred one first); "secret" on timeout,
    error, an unclear answer or no healthy local model."""
    unhealthy = catalog.unhealthy()
    local = [m for m in await catalog.models() if m.locality == "local" and m.ref not in unhealthy]
    local.sort(key=lambda m: m.ref != preferred_local)
    if not local:
        return "secret"
    answer = await ask_local(
        catalog.provider(local[0].provider), local[0], judge_prompt(text), seconds=config.judge_budget
    )
    return parse_verdict(answer)
