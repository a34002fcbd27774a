"""Slack's AI-app surfaces: the assistant pane (greeting, suggested prompts) and the App Home tab.

Assistant-pane threads are DMs, so they are private sessions on local models. While the model thinks the
sink sets `assistant.threads.setStatus`; the first question becomes the thread's title. Where the workspace
does not offer the pane these calls fail quietly and DMs work as usual.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.app import SlackBot
from adapters.slack.blocks import home_view
from bot.commands import LOCALITY_MARK
from bot.preferences import effective
from bot.session import SessionKey

log = logging.getLogger("hybridbot.slack.surfaces")

EVENTS = ("assistant_thread_started", "app_home_opened")
GREETING = "Hi! Ask me anything. This conversation is private: it stays on local models."


def register(app: AsyncApp, bot: SlackBot) -> None:
    async def on_thread_started(event: dict[str, Any]) -> None:
        thread = event.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if not isinstance(channel, str) or not isinstance(thread_ts, str):
            return
        prompts = [{"title": p[:75], "message": p} for p in bot.config.suggested_prompts[:4]]
        try:
            await bot.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=GREETING)
            if prompts:
                await bot.client.assistant_threads_setSuggestedPrompts(
                    channel_id=channel, thread_ts=thread_ts, prompts=prompts
                )
        except Exception as error:
            log.info("assistant greeting failed: %s", type(error).__name__)

    async def on_home(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user, str):
            return
        team = str(body.get("team_id") or bot.team_id)
        view = await build_home(bot, team, str(event.get("channel") or "home"), user)
        try:
            await bot.client.views_publish(user_id=user, view=view)
        except Exception as error:
            log.info("views.publish failed: %s", type(error).__name__)

    app.event("assistant_thread_started")(on_thread_started)
    app.event("app_home_opened")(on_home)


async def build_home(bot: SlackBot, team: str, channel: str, user: str) -> dict[str, Any]:
    engine = bot.engine
    key = SessionKey("slack", team, channel, None)
    model = effective(engine.store, key, user, "model", engine.settings.routing.default_model)
    agent = effective(engine.store, key, user, "agent", engine.settings.bot.default_agent)
    defaults = [f"Model: *{model.value}* ({model.source})", f"Agent: *{agent.value}* ({agent.source})"]
    models = await engine.catalog.models()
    unhealthy = engine.catalog.unhealthy()
    model_lines = [
        f"{LOCALITY_MARK.get(m.locality, '')} {m.ref} — {'unavailable' if m.ref in unhealthy else 'ok'}" for m in models
    ]
    since = time.time() - 30 * 86400
    rows = engine.store.usage(workspace=team, since=since, user_id=user)
    usage = [
        f"{LOCALITY_MARK.get(r['locality'], '')} {r['provider']}:{r['model']} — {r['turns']} answer(s)" for r in rows
    ] or ["No answers for you in the last 30 days."]
    return home_view(name=engine.settings.bot.name, defaults=defaults, models=model_lines[:40], usage=usage[:20])
