"""Property-based leak tests for files: a generated secret or personal value planted in an attached file (text,
CSV, Markdown, JSON, PDF or DOCX) never reaches the cloud stand-in — not in that turn, not in the follow-ups —
while a harmless turn in a fresh channel still does (the control). Assertions are on the wire.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot import privacy
from bot.attachments import Attachment
from bot.documents import extract
from bot.engine import Turn
from tests.fakes.documents import make_docx, make_pdf
from tests.helpers import RecordingSink
from tests.integration.test_privacy_leaks import (
    COMPLEX,
    FAST,
    Planted,
    _cloud_still_works,
    app,  # noqa: F401  (the fixture)
    fresh_key,
    planted,
    turn,
)

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

FORMATS = ("notes.txt", "rows.csv", "readme.md", "config.json", "report.pdf", "letter.docx")


def file_bytes(name: str, text: str) -> bytes:
    if name.endswith(".pdf"):
        return make_pdf([text.replace("\u200b", "").encode("latin-1", "replace").decode("latin-1")])
    if name.endswith(".docx"):
        return make_docx([("p", line) for line in text.splitlines() if line.strip()])
    if name.endswith(".csv"):
        return f"id,note\n1,{text.replace(chr(10), ' ')}\n".encode()
    if name.endswith(".json"):
        import json

        return json.dumps({"ticket": 42, "note": text}).encode()
    return text.encode()


@FAST
@given(p=planted(), name=st.sampled_from(FORMATS))
async def test_a_planted_value_in_a_file_never_reaches_the_cloud(app, fake_openai, p: Planted, name: str) -> None:  # noqa: F811
    data = file_bytes(name, p.text)
    extracted = extract(data, name).text
    assume(p.value in extracted.replace("\u200b", "") or p.shown in extracted)  # the format kept the value
    assume(privacy.is_sensitive(privacy.scan(extracted)))
    key = fresh_key()
    attached = Turn(key, "U1", "u1", COMPLEX, attachments=(Attachment(name, "", len(data), data=data),))
    first = await app.engine.handle(attached, RecordingSink())
    assert first.route is None or first.route.locality == "local"
    later = await app.engine.handle(turn(key, COMPLEX + " Go deeper."), RecordingSink())
    assert later.route.locality == "local"
    assert not p.leaked_to(fake_openai)
    await _cloud_still_works(app, fake_openai)
