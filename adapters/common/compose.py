"""An answer's final shape, from the engine's result and the text streamed so far. Pure, platform-neutral.

Platforms render it their way (Slack: sections, a context block and buttons; Discord: text and `-#` subtext).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.common.pages import close_open_fence
from bot.turns import TurnResult

NO_ANSWER = "_(no answer)_"
UNANSWERED = ("rejected", "refused")  # no model answered: only the reason is shown


@dataclass(frozen=True)
class FinalReply:
    answer: str  # the model's text (Markdown)
    tail: str = ""  # what went wrong, or why there is no answer (Markdown)
    notices: list[str] = field(default_factory=list)
    footer: str | None = None  # the route, when a model answered
    turn_id: int | None = None  # set when the answer can be rated (it has a route)

    @property
    def body(self) -> str:
        """The answer and what went wrong, one after the other; never empty."""
        parts = [part for part in (close_open_fence(self.answer.rstrip()), self.tail) if part]
        return "\n\n".join(parts) or NO_ANSWER


def compose(result: TurnResult, streamed: str, notes: list[str] | None = None) -> FinalReply:
    """The stored answer wins over what was streamed (a looping answer is cut there); `notes` are the adapter's."""
    notices = [*result.notices, *(notes or [])]
    routed = result.route is not None
    footer = result.route.footer if result.route else None
    turn_id = result.turn_id if routed else None
    if result.status in UNANSWERED:
        return FinalReply("", result.error or result.text, notices, footer, turn_id)
    answer = (result.text if result.status in ("done", "error", "cancelled") else "") or streamed
    return FinalReply(answer, result.error, notices, footer, turn_id)
