"""HTTP mode before the app is installed: answer Slack's URL verification with only the signing secret.

Slack checks the Request URL when it is saved in the app settings — before the app is installed, so before a
bot token exists. With SLACK_SIGNING_SECRET but no SLACK_BOT_TOKEN, `hybridbot run` serves this handler: signed
`url_verification` challenges are answered, anything else is acknowledged and dropped with a warning saying what
to do next. Unsigned or stale requests get 401, as in full HTTP mode.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger("hybridbot.slack")

NEXT_STEP = "no SLACK_BOT_TOKEN yet: install the app to the workspace, set SLACK_BOT_TOKEN (xoxb-…) and restart"


def verification_handler(signing_secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    verifier = SignatureVerifier(signing_secret)

    async def handle(request: web.Request) -> web.Response:
        body = await request.text()
        if not verifier.is_valid_request(body, dict(request.headers)):
            return web.Response(status=401, text="invalid request")
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and payload.get("type") == "url_verification":
            log.info("slack: answered Slack's URL verification (%s)", NEXT_STEP)
            return web.json_response({"challenge": payload.get("challenge")})
        log.warning("slack: a request was dropped: %s", NEXT_STEP)
        return web.Response(status=200, text="")

    return handle
