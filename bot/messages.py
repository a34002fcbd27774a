"""Words the user sees: route footers and failure messages. Pure."""

from __future__ import annotations

from bot.providers.base import ErrorKind, ProviderError
from bot.router import short_reasons

LOCAL_BADGE = "🔒 local"
CLOUD_BADGE = "☁ cloud"


def footer(
    *, locality: str, provider: str, model: str, agent: str, reasons: list[str] | tuple[str, ...], tools: int = 0
) -> str:
    badge = LOCAL_BADGE if locality == "local" else CLOUD_BADGE
    parts = [badge, f"{provider}:{model}", agent]
    why = short_reasons(reasons)
    if why:
        parts.append(why)
    if tools:
        parts.append(f"🔧 {tools} tool{'s' if tools != 1 else ''}")
    return " · ".join(parts)


def provider_failure(error: ProviderError, *, partial: bool = False) -> str:
    """What happened and what to do, in words a chat user understands."""
    where = f"{error.provider}:{error.model}" if error.model else error.provider or "the model"
    retry = f" Try again in about {error.retry_after:.0f} s." if error.retry_after else " Try again in a moment."
    text = {
        ErrorKind.UNREACHABLE: f"I could not reach {where}. If it is a local model, check that Ollama is running"
        " (`hybridbot doctor` shows what is reachable).",
        ErrorKind.MODEL_MISSING: f"The model {where} is not installed or not known there. Pick another with"
        " `/model`, or pull it (for Ollama: `ollama pull <model>`).",
        ErrorKind.TIMEOUT: f"{where} took too long to answer." + retry,
        ErrorKind.AUTH: f"{where} rejected the bot's credentials. An admin needs to check the API key.",
        ErrorKind.RATE_LIMITED: f"{where} is rate-limiting the bot or its quota is used up." + retry,
        ErrorKind.SERVER: f"{where} had an internal error." + retry,
        ErrorKind.BAD_REQUEST: f"{where} refused the request (it may be too long). Try `/reset` or a shorter message.",
        ErrorKind.INTERRUPTED: f"The answer from {where} broke off." + retry,
    }.get(error.kind, f"{where} failed." + retry)
    if partial:
        text = "⚠️ The answer above is incomplete. " + text
    return "⚠️ " + text if not partial else text


def too_long(length: int, limit: int) -> str:
    return (
        f"Your message is {length:,} characters; the limit is {limit:,}. Nothing was stored. "
        "Please shorten it or split it into parts."
    )


EMPTY_MESSAGE = "I got an empty message. Ask me something, or type /help to see what I can do."
INTERRUPTED_BY_RESTART = "⚠️ This answer was interrupted because the bot restarted. Please ask again."
CANCELLED = "🛑 Stopped."
STOPPED_REPEATING = "✂️ The answer started repeating itself, so it was cut off there. Ask again or rephrase."
