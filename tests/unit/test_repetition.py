"""The loop detector: cuts looping answers after their first copy, leaves ordinary text alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.providers.repetition import LoopDetector

FRENCH_LOOP = "La capitale de la France est Paris. " * 12  # what SmolLM2 did at temperature 0.7
PROSE = (
    "Paris is the capital of France. It sits on the Seine and has about two million people. "
    "The city is known for the Eiffel Tower, the Louvre and its cafés. Many visitors come in spring, "
    "when the parks are green and the weather is mild. The metro makes it easy to get around the city."
)
SONG = "Verse one about the sea.\nChorus: row row the boat along the shore tonight.\n" * 1 + (
    "Verse two about the sky.\nChorus: row row the boat along the shore tonight.\n"
    "Verse three about the stars.\nChorus: row row the boat along the shore tonight.\n"
)
CODE = "```python\n" + "values.append(0)\n" * 20 + "```\n"
TABLE = "| a | b |\n|---|---|\n" + "".join(f"| {i} | yes |\n" for i in range(30))


def run(text: str, pieces: int = 1, **kwargs: int) -> tuple[str, bool]:
    """Feed ``text`` in ``pieces`` chunks; return what the reader would see and whether it looped."""
    detector = LoopDetector(**kwargs)
    size = max(1, len(text) // pieces)
    shown = "".join(detector.feed(text[i : i + size]) for i in range(0, len(text), size))
    return shown + detector.flush(), detector.looped


@pytest.mark.parametrize("pieces", [1, 7, 200])
def test_sentence_loop_is_cut_after_its_first_copy(pieces: int) -> None:
    shown, looped = run("Bonjour! " + FRENCH_LOOP, pieces)
    assert looped
    assert shown == "Bonjour! La capitale de la France est Paris. "


def test_one_word_repeated_is_a_loop() -> None:
    shown, looped = run("The answer is " + "la " * 40)
    assert looped and shown == "The answer is la "


def test_mixed_case_and_punctuation_still_count_as_the_same_words() -> None:
    shown, looped = run("la Femme, LA femme. " * 15)
    assert looped and shown == "la Femme, "


@pytest.mark.parametrize("text", [PROSE, SONG, TABLE], ids=["prose", "song-with-refrain", "table"])
def test_ordinary_text_passes_unchanged(text: str) -> None:
    for pieces in (1, 5, len(text)):
        assert run(text, pieces) == (text, False)


def test_code_may_repeat_lines_more_than_prose() -> None:
    assert run(CODE) == (CODE, False)
    endless = "```python\n" + "values.append(0)\n" * 200
    shown, looped = run(endless)
    assert looped and shown == "```python\nvalues.append(0)\n"


def test_two_copies_are_held_back_then_released_when_the_text_moves_on() -> None:
    detector = LoopDetector()
    sentence = "We can go to the park and then walk home along the river. "
    first = detector.feed(sentence)
    assert first.startswith("We can go")
    assert detector.feed(sentence) == ""  # a second copy might be a loop starting: hold it back
    later = detector.feed("After that we had dinner together. ")
    assert later.startswith(sentence) and not detector.looped
    assert first + later + detector.flush() == sentence * 2 + "After that we had dinner together. "


def test_nothing_is_shown_after_a_loop() -> None:
    detector = LoopDetector()
    detector.feed(FRENCH_LOOP)
    assert detector.looped
    assert detector.feed("More text after the loop. ") == "" and detector.flush() == ""


@given(st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "\n", "x."]), max_size=60), st.integers(1, 40))
def test_without_a_loop_all_text_comes_out_in_order(words: list[str], pieces: int) -> None:
    text = " ".join(words)
    shown, looped = run(text, pieces, min_loop_words=10_000)  # no run of these words can be a loop
    assert not looped and shown == text


@pytest.mark.parametrize("pieces", [3, 900, 9000])
def test_a_loop_after_a_long_answer_is_cut_the_same_once_shown_text_is_dropped(pieces: int) -> None:
    """Text both shown and scanned is dropped in blocks (feeding costs O(new text)); offsets past it still
    cut a loop exactly, a sentence loop and a table far past the first block alike."""
    long = " ".join(f"word{i}" for i in range(4000)) + ". " + TABLE  # ~40 KB: many FORGET_BLOCKs
    shown, looped = run(long + FRENCH_LOOP, pieces)
    assert looped
    assert shown == long + "La capitale de la France est Paris. "
    assert run(long, pieces) == (long, False)
