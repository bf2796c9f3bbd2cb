"""Blank out what is markup or collector's artefact, keeping every offset.

Markdown reports carry a front-matter header, bold markers (``**一、…**``),
heading hashes, HTML comments (photo captions, print runs), newspaper
page-break notes （下转三版） and footnote markers （1） / [2]. None of it is
report text, yet quotes must stay verbatim offsets into the file, so each
match is replaced by spaces of the same length (line breaks kept) in the
normalised view only; the patterns are data (``structure.json``
``markup_masks``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from govledger.data import load_json
from govledger.structure.metadata import front_matter


@lru_cache(maxsize=1)
def _mask_pattern() -> re.Pattern[str]:
    rules = load_json("structure.json")
    patterns: list[str] = rules["markup_masks"]
    # every mask begins with one of these characters: the engine skips the other positions without trying
    # each branch (five times faster on a report)
    first = rules.get("markup_masks_first_chars", "")
    lead = f"(?=[{re.escape(first)}])" if first else ""
    return re.compile(lead + "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", re.M | re.S)


def _blank(match: re.Match[str]) -> str:
    return "".join("\n" if ch == "\n" else " " for ch in match.group(0))


def mask_markup(norm: str) -> tuple[str, dict[str, str]]:
    """The normalised text with markup blanked, and the front-matter fields (title, source)."""
    fields, body_at = front_matter(norm)
    if body_at:
        norm = "".join("\n" if ch == "\n" else " " for ch in norm[:body_at]) + norm[body_at:]
    return _mask_pattern().sub(_blank, norm), fields
