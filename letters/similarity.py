"""How close a letter is to its template: individualised letters move policy makers,
a hundred copies of one text do not.

The measure is the share of the letter's words that run in the same order as the
template's (difflib's ratio over words, case and punctuation ignored): 1.0 is the template
word for word, a rewritten paragraph brings it down quickly, a changed name barely moves it.
"""

from __future__ import annotations

import difflib
import re

# At or above this, a letter is "nearly identical" and must be personalised before it
# can be submitted.
NEARLY_IDENTICAL = 0.9
# Below this the letter is clearly the writer's own.
PERSONAL = 0.6

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def similarity(letter: str, template: str) -> float:
    """0.0 (nothing in common) to 1.0 (the same words in the same order)."""
    a, b = words(letter), words(template)
    if not a and not b:
        return 1.0
    return round(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), 3)


def is_nearly_identical(score: float | None) -> bool:
    return score is not None and score >= NEARLY_IDENTICAL


def band(score: float | None) -> str:
    """ "copy", "close" or "personal", for the meter next to the letter."""
    if score is None:
        return "personal"
    if score >= NEARLY_IDENTICAL:
        return "copy"
    if score >= PERSONAL:
        return "close"
    return "personal"
