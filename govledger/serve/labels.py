"""The one label table of the web app: codes → the Chinese words a page shows.

Everything a page says for a code comes from ``data/labels.json`` (verdicts,
bounds, measures, units, levels, audit actions, field names, notices, HTTP
errors, and the patterns that turn the tracker's verdict reasons into
Chinese), plus the status, stage, pace, role and review-state words that live
with their rules in ``data/workspace.json``. Templates get one mapping
(``labels``) and a few filters; Python code calls ``label`` and ``reason_zh``.
A code with no entry shows as 「（未知）」, never as the raw code.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from govledger.data import load_json

_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")


@cache
def labels() -> dict[str, Any]:
    """``labels.json`` with the workspace's own words merged in (roles, statuses, stages, paces, states)."""
    data = dict(load_json("labels.json"))
    rules = load_json("workspace.json")
    data["statuses"] = {k: v["label"] for k, v in rules["statuses"].items()}
    data["roles"] = {k: v["label"] for k, v in rules["roles"].items()}
    data["stages"] = dict(rules["stages"])
    data["paces"] = dict(rules["paces"])
    data["feedback_states"] = dict(rules["feedback_states"])
    data["extension_states"] = dict(rules["extension_states"])
    return data


def label(table: str, code: object, default: str | None = None) -> str:
    """The Chinese word for ``code`` in ``table`` (``verdicts`` gives the label); 「（未知）」 when there is none."""
    if code is None or code == "":
        return default if default is not None else ""
    entry = labels().get(table, {}).get(str(code))
    if isinstance(entry, dict):
        entry = entry.get("label")
    if entry is None:
        return default if default is not None else str(labels()["unknown"])
    return str(entry)


def unit_label(unit: object) -> str:
    """A unit as a reader writes it (``pp`` → 个百分点); other units (元, %, 个) are already Chinese or symbols."""
    if unit is None:
        return ""
    return str(labels()["units"].get(str(unit), unit))


def num(x: Any) -> str:
    """A number as a page shows it: 5 not 5.0, 0.25 not 0.25000001; ``None`` as nothing."""
    if x is None:
        return ""
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() else f"{x:g}"
    return str(x)


def _fill(template: str, groups: dict[str, str | None]) -> str:
    def one(m: re.Match[str]) -> str:
        value = groups.get(m.group(1)) or ""
        kind = m.group(2)
        if kind == "unit":
            return unit_label(value)
        if kind == "measure":
            return label("measures", value)
        return value

    return _PLACEHOLDER.sub(one, template).replace("（）", "")


@cache
def _reason_patterns() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p["find"]), p["zh"]) for p in labels()["reasons"]]


def reason_zh(reason: str | None, verdict: str | None = None) -> str:
    """The tracker's reason (English, for the CLI and JSON) as one Chinese line for a page.

    The first pattern of ``labels.json`` that fits wins; a reason no pattern
    knows is replaced by the verdict's general explanation, so no English
    reaches a page.
    """
    text = reason or ""
    out = ""
    for pattern, template in _reason_patterns():
        m = pattern.search(text)
        if m:
            out = _fill(template, m.groupdict())
            break
    if not out:
        out = str(labels()["verdict_explained"].get(verdict or "", "")) if verdict else ""
    est = labels()["reason_estimated"]
    if out and re.search(est["find"], text) and not out.startswith("人工"):
        out += est["zh"]
    return out


def jinja_globals() -> dict[str, Any]:
    """What every template may use: the label mapping and the words of the workspace's rules."""
    table = labels()
    return {"labels": table, "verdict_labels": {k: (v["label"], v["symbol"]) for k, v in table["verdicts"].items()},
            "bound_labels": table["bounds"], "level_labels": table["levels"]}


def install(env: Any) -> None:
    """Register the filters and globals on a Jinja2 environment."""
    env.filters["num"] = num
    env.filters["unit"] = unit_label
    env.filters["label"] = lambda code, table: label(table, code)
    env.filters["reason"] = reason_zh
    env.globals.update(jinja_globals())
