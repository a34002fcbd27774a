"""bot.redact: reversible placeholders (issue 10, item 7) — the table, the streaming restorer, the scanner's view."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import privacy
from bot.redact import Placeholder, Placeholders, Restorer, redact_text, redacted_history
from bot.store import StoredMessage

EMAIL = "jane.doe@acme-corp.io"
AWS_KEY = "AKIA" + "ZQ4RT7WX2LPN8KJD"


def test_the_same_value_gets_the_same_placeholder_and_kinds_count_separately() -> None:
    table = Placeholders()
    text, kinds = redact_text(f"key {AWS_KEY}, mail {EMAIL}, again {EMAIL}", table, "U1")
    assert text == "key \u27e8AWS_ACCESS_KEY_1\u27e9, mail \u27e8EMAIL_1\u27e9, again \u27e8EMAIL_1\u27e9"
    assert kinds == ["aws_access_key", "email"]
    assert [p.author_id for p in table.new] == ["U1", "U1"]
    assert redact_text("write to bob.stone@acme-corp.io", table)[0] == "write to \u27e8EMAIL_2\u27e9"


def test_a_stored_table_continues_its_numbering() -> None:
    table = Placeholders.of([Placeholder("\u27e8EMAIL_7\u27e9", "email", EMAIL)])
    assert table.token_for("email", "other@acme-corp.io") == "\u27e8EMAIL_8\u27e9"
    assert table.token_for("email", EMAIL) == "\u27e8EMAIL_7\u27e9" and len(table.new) == 1


def test_known_values_are_replaced_even_where_the_scanner_finds_nothing() -> None:
    table = Placeholders.of([Placeholder("\u27e8PASSWORD_1\u27e9", "password", "Tr0ub4dor&3x")])
    assert redact_text("Use Tr0ub4dor&3x to log in", table) == ("Use \u27e8PASSWORD_1\u27e9 to log in", ["password"])


def test_history_releases_sensitive_messages_with_placeholders_and_never_local_only_ones() -> None:
    table = Placeholders()
    history = [
        StoredMessage(1, "user", "U1", "ann", f"use {AWS_KEY}", True),
        StoredMessage(2, "user", "U1", "ann", "marked sensitive, nothing to find", True),
        StoredMessage(3, "assistant", "", "general", f"ok, {AWS_KEY} it is", False),
        StoredMessage(4, "assistant", "", "general", f"local paraphrase of {AWS_KEY}", True, local_only=True),
    ]
    out = [(m.content, m.sensitive) for m in redacted_history(history, table)]
    assert out == [
        ("use \u27e8AWS_ACCESS_KEY_1\u27e9", False),
        ("marked sensitive, nothing to find", True),
        ("ok, \u27e8AWS_ACCESS_KEY_1\u27e9 it is", False),
        (f"local paraphrase of {AWS_KEY}", True),  # withheld whole by the context builder
    ]


def test_placeholders_are_not_findings_so_the_cloud_guard_lets_them_pass() -> None:
    for text in (
        "password: \u27e8PASSWORD_1\u27e9",
        "pw=\u27e8PASSWORD_1\u27e9",
        'API_KEY="\u27e8GENERIC_SECRET_1\u27e9"',
    ):
        assert not privacy.is_sensitive(privacy.scan(text)), text


def test_a_placeholder_split_across_deltas_is_restored() -> None:
    restorer = Restorer(Placeholders.of([Placeholder("\u27e8EMAIL_1\u27e9", "email", EMAIL)]))
    shown = [restorer.feed(d) for d in ("Mail \u27e8EM", "AIL", "_1\u27e9 now")] + [restorer.flush()]
    assert shown == ["Mail ", "", f"{EMAIL} now", ""] and restorer.swapped


def test_unknown_or_unclosed_brackets_are_shown_as_written() -> None:
    restorer = Restorer(Placeholders())
    assert restorer.feed("angle \u27e8EMAIL_9\u27e9 and \u27e8open") == "angle \u27e8EMAIL_9\u27e9 and "
    assert restorer.flush() == "\u27e8open" and not restorer.swapped
    long = "\u27e8" + "x" * 60
    assert restorer.feed(long) == long  # too long to be a placeholder: not held back


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=40))
def test_any_split_of_the_answer_restores_the_same_text(cuts: list[int]) -> None:
    table = Placeholders.of(
        [Placeholder("\u27e8EMAIL_1\u27e9", "email", EMAIL), Placeholder("\u27e8PHONE_12\u27e9", "phone", "+49 151 2")]
    )
    answer = "To \u27e8EMAIL_1\u27e9 and \u27e8PHONE_12\u27e9, not \u27e8EMAIL_2\u27e9 \u27e8x"
    pieces, pos = [], 0
    for n in cuts:
        pieces.append(answer[pos : pos + n])
        pos += n
    pieces.append(answer[pos:])
    restorer = Restorer(table)
    shown = "".join(restorer.feed(p) for p in pieces) + restorer.flush()
    assert shown == f"To {EMAIL} and +49 151 2, not \u27e8EMAIL_2\u27e9 \u27e8x"
