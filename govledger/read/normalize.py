"""Length-preserving normalisation: full-width digits and punctuation variants.

The extractor works on the normalised text and cuts quotes from the original
at the same offsets, which is why every replacement is one character for one.
"""

from __future__ import annotations

_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_VARIANTS = {
    "％": "%", "．": ".", "﹪": "%", "―": "—", "–": "—", "－": "-", "～": "~", "〜": "~",
    "!": "！", "?": "？", ";": "；", "(": "（", ")": "）", "\u00a0": " ", "\u2003": "\u3000",
    "\u2002": " ", "\ufeff": " ", "\r": "\n", "\t": " ", "∶": "：", "﹑": "、",
}
_TABLE = str.maketrans({**_FULLWIDTH, **_VARIANTS})


def normalize_text(text: str) -> str:
    """Map full-width and variant characters to the forms the rules expect."""
    return text.translate(_TABLE)
