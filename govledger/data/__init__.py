"""Rule tables as data: JSON files beside this module, loaded once.

The indicator catalogue can be extended without editing the installed
package: a JSON file named by ``GOVLEDGER_CATALOGUE`` (``govledger
--catalogue FILE``) adds indicators, or aliases, veto words and units to
existing ones (``{"indicators": [{"id": "gdp", "aliases": ["全州生产总值"]}]}``).
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from typing import Any

from govledger.errors import ReportError

USER_CATALOGUE = "GOVLEDGER_CATALOGUE"
_LIST_FIELDS = ("aliases", "not_if", "bare_only", "units")


@cache
def load_json(name: str) -> Any:
    """Load ``govledger/data/<name>`` (cached: the tables are read-only)."""
    with resources.files("govledger.data").joinpath(name).open(encoding="utf-8") as fh:
        data = json.load(fh)
    if name == "catalogue.json" and os.environ.get(USER_CATALOGUE):
        data = merge_catalogue(data, read_user_catalogue(os.environ[USER_CATALOGUE]))
    return data


def read_user_catalogue(path: str) -> dict[str, Any]:
    """A user's catalogue file, or a one-line ``ReportError`` naming the file and what is wrong."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise ReportError(path, "catalogue file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(path, f"cannot read the catalogue file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ReportError(path, f"not JSON (line {exc.lineno}: {exc.msg})") from None
    items = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
        raise ReportError(path, 'a catalogue file needs {"indicators": [{"id": …, "aliases": […]}, …]}')
    return data


def merge_catalogue(base: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """The installed catalogue with the user's indicators added and their word lists extended."""
    merged = json.loads(json.dumps(base))
    by_id = {ind["id"]: ind for ind in merged["indicators"]}
    for item in user["indicators"]:
        target = by_id.get(item["id"])
        if target is None:
            target = {"id": item["id"], "name": item.get("name", item["id"]), "direction": "up", "aliases": [],
                      "not_if": [], "units": []}
            merged["indicators"].append(target)
            by_id[item["id"]] = target
        for key, value in item.items():
            if key in _LIST_FIELDS and isinstance(value, list):
                target[key] = list(dict.fromkeys([*target.get(key, []), *value]))
            elif key != "id":
                target[key] = value
    for key in ("global_not_if",):
        if isinstance(user.get(key), list):
            merged[key] = list(dict.fromkeys([*merged.get(key, []), *user[key]]))
    return merged
