"""Block Kit payloads: answer sections, route footer, feedback buttons, choice menus, App Home. Pure."""

from __future__ import annotations

from typing import Any

from bot.commands import Choice

FEEDBACK_UP = "hb_feedback_up"
FEEDBACK_DOWN = "hb_feedback_down"
SELECT_PREFIX = "hb_select_"  # + command name (model, agent, privacy)
TURN_BLOCK_PREFIX = "hb_turn_"  # block_id of an answer's footer: hb_turn_<turn id>
MAX_BLOCKS = 50
PLAIN_TEXT_MAX = 75  # option and button labels


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": (text or " ")[:3000]}}


def context(lines: list[str], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "context", "elements": [{"type": "mrkdwn", "text": line} for line in lines[:10]]}
    if block_id:
        block["block_id"] = block_id
    return block


def feedback_buttons(turn_id: int) -> dict[str, Any]:
    def button(emoji: str, action: str, label: str) -> dict[str, Any]:
        return {
            "type": "button",
            "action_id": action,
            "value": str(turn_id),
            "text": {"type": "plain_text", "text": emoji, "emoji": True},
            "accessibility_label": label,
        }

    return {
        "type": "actions",
        "block_id": f"hb_feedback_{turn_id}",
        "elements": [
            button("👍", FEEDBACK_UP, "Good answer"),
            button("👎", FEEDBACK_DOWN, "Bad answer"),
        ],
    }


def answer_blocks(
    pieces: list[str], *, footer: str | None = None, notices: list[str] | None = None, turn_id: int | None = None
) -> list[dict[str, Any]]:
    """One message: its text sections, then (on an answer's last message) footer and feedback buttons."""
    blocks = [section(p) for p in pieces]
    lines = [f"ℹ {n}" for n in notices or []] + ([footer] if footer else [])
    if lines:
        blocks.append(context(lines, f"{TURN_BLOCK_PREFIX}{turn_id}" if turn_id else None))
    if turn_id and footer:
        blocks.append(feedback_buttons(turn_id))
    return blocks[:MAX_BLOCKS]


def _label(text: str) -> str:
    return text if len(text) <= PLAIN_TEXT_MAX else text[: PLAIN_TEXT_MAX - 1] + "…"


def choice_menu(command: str, text: str, choices: list[Choice]) -> list[dict[str, Any]]:
    """A command's answer with a static select of its choices (at most 100 options)."""
    options = [
        {"text": {"type": "plain_text", "text": _label(c.label), "emoji": True}, "value": c.value[:150]}
        for c in choices[:100]
    ]
    menu: dict[str, Any] = {
        "type": "static_select",
        "action_id": f"{SELECT_PREFIX}{command}",
        "placeholder": {"type": "plain_text", "text": f"Choose {command}"},
        "options": options,
    }
    current = [o for o, c in zip(options, choices, strict=False) if c.current]
    if current:
        menu["initial_option"] = current[0]
    return [section(text), {"type": "actions", "block_id": f"hb_menu_{command}", "elements": [menu]}]


def home_view(*, name: str, defaults: list[str], models: list[str], usage: list[str]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": name}},
        section("Mention me in a channel, write in my threads, or DM me. DMs stay on local models."),
        {"type": "divider"},
        section("*Your defaults*\n" + "\n".join(defaults)),
        section("*Models*\n" + ("\n".join(models) or "No models are reachable right now.")),
        section("*Recent usage*\n" + "\n".join(usage)),
        context(["Commands: /model · /agent · /reset · /privacy · /why · /usage · /help"]),
    ]
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
