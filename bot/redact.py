"""`redact` privacy level: cloud prompts get `[REDACTED:kind]` placeholders, the local record keeps the text.

Pure. The engine stores every message as written; only when a prompt is built for a cloud model
in a `redact` channel are history messages rescanned and their sensitive spans replaced. A message
marked sensitive that no longer yields a finding is still withheld (never sent unredacted), and one
marked local-only is withheld whatever redaction finds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from bot import privacy
from bot.store import StoredMessage


def redact_text(text: str) -> tuple[str, list[str]]:
    """The text with every sensitive span replaced, and the kinds replaced (never the values)."""
    findings = [f for f in privacy.scan(text) if f.confidence >= privacy.SENSITIVE_THRESHOLD]
    return privacy.redact(text, findings), sorted({f.kind for f in findings})


def redacted_history(history: Iterable[StoredMessage]) -> Iterator[StoredMessage]:
    """History for a cloud prompt: sensitive messages redacted and released, the rest unchanged."""
    for message in history:
        text, kinds = redact_text(message.content)  # rescan: the level may have changed since it was stored
        # A sensitive message is released only when redaction removed something; else it stays withheld.
        # A local-only message (written while the conversation had to stay local, or a local model's answer
        # from unredacted input) is never released: what it paraphrases, the scanner may not recognise.
        release = kinds and not message.local_only
        yield replace(message, content=text, sensitive=False) if release else message
