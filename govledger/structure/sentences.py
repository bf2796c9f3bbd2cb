"""Sentence splitting on the schema's terminators (。；！？ or paragraph end)."""

from __future__ import annotations

import re

# a terminator, plus closing quotes/brackets that belong to the sentence before it
_TERMINATOR = re.compile(r"[。；！？!?;]+[”’」』）)]*")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences of ``text[start:end]``, whitespace trimmed."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _TERMINATOR.finditer(text, start, stop):
        _append_trimmed(text, pos, m.end(), spans)
        pos = m.end()
    _append_trimmed(text, pos, stop, spans)
    return spans


def _append_trimmed(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append((a, b))
