"""Rule tables as data: JSON files beside this module, loaded once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_json(name: str) -> Any:
    """Load ``govledger/data/<name>`` (cached: the tables are read-only)."""
    with resources.files("govledger.data").joinpath(name).open(encoding="utf-8") as fh:
        return json.load(fh)
