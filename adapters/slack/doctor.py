"""`hybridbot doctor` for Slack: is the bot token valid, and does it carry the scopes the adapter needs?

Slack answers every Web API call with the token's granted scopes in the `x-oauth-scopes` header; auth.test
needs no scope, so it shows them without side effects.
"""

from __future__ import annotations

import os

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.manifest import SCOPES
from bot.config import Settings

REINSTALL = (
    "add them under OAuth & Permissions → Bot Token Scopes (or update the app from `hybridbot manifest slack`), "
    "then reinstall the app to the workspace"
)


def scope_findings(granted: set[str], needed: tuple[str, ...] = SCOPES) -> list[tuple[bool, str]]:
    """Pure: what to tell the operator about granted vs needed scopes."""
    missing = [scope for scope in needed if scope not in granted]
    extra = sorted(granted - set(needed))
    if missing:
        results = [(False, f"slack: the bot token lacks scope(s) {', '.join(missing)} — {REINSTALL}")]
    else:
        results = [(True, f"slack: the bot token has every scope needed ({len(needed)})")]
    if extra:
        results.append((True, f"note: slack scopes granted but not used: {', '.join(extra)} (can be removed)"))
    return results


async def check_slack(settings: Settings) -> list[tuple[bool, str]]:
    token = settings.secret("SLACK_BOT_TOKEN")
    if not token:
        return []
    api_url = os.environ.get("SLACK_API_URL") or settings.slack.api_url
    client = AsyncWebClient(token=token, base_url=api_url if api_url.endswith("/") else api_url + "/", timeout=10)
    try:
        response = await client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error")
        return [(False, f"slack: auth.test refused the bot token ({reason}) — copy SLACK_BOT_TOKEN (xoxb-…) again")]
    except Exception as error:
        return [(False, f"slack: could not reach {api_url} ({type(error).__name__}) — check the network or api_url")]
    headers = {str(k).lower(): v for k, v in (response.headers or {}).items()}
    raw = headers.get("x-oauth-scopes")
    if isinstance(raw, list):
        raw = ",".join(raw)
    if raw is None:
        return [(True, f"slack: token valid for team {response.get('team_id')}; Slack did not list its scopes")]
    granted = {s.strip() for s in str(raw).split(",") if s.strip()}
    return [(True, f"slack: token valid for team {response.get('team_id')}"), *scope_findings(granted)]
