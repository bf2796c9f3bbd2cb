"""Start-up (issue 11 item 4, issue 10 item 7): ``--help`` and a one-file ``extract`` load no
pandas, pyarrow, SQLAlchemy, psycopg or FastAPI, and work where those are not installed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPORTS

OPTIONAL = ("pandas", "pyarrow", "psycopg", "fastapi", "sqlalchemy", "alembic", "matplotlib", "uvicorn")
# run the CLI with the optional packages made unimportable, then list what heavy modules got loaded
PROGRAM = """
import importlib.abc, json, sys
BLOCKED = {blocked!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is not installed")
        return None
import importlib.util
_find_spec = importlib.util.find_spec
def find_spec(name, package=None):
    return None if name.split(".")[0] in BLOCKED else _find_spec(name, package)
importlib.util.find_spec = find_spec
sys.meta_path.insert(0, Block())
sys.argv = ["govledger", *{args!r}]
from govledger.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def _run(*args: str, blocked: tuple[str, ...] = OPTIONAL) -> tuple[dict[str, object], str]:
    program = PROGRAM.format(blocked=set(blocked), args=list(args), heavy=set(OPTIONAL) | {"pydantic"})
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    result = json.loads(proc.stderr.strip().splitlines()[-1])
    return result, proc.stdout


def test_help_loads_nothing_heavy() -> None:
    result, out = _run("--help")
    assert result == {"code": 0, "heavy": []}
    assert "extract" in out and "import" in out


@pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/reports not beside the repository")
def test_extract_without_the_optional_packages() -> None:
    result, out = _run("extract", str(REPORTS / "yaan_2024.txt"), "--format", "jsonl")
    assert result["code"] == 0
    assert result["heavy"] == ["pydantic"] or all(m.startswith("pydantic") for m in result["heavy"])  # type: ignore[union-attr]
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) > 100 and rows[0]["doc"] == "yaan_2024"


def test_panel_without_pandas_says_what_to_install() -> None:
    program = PROGRAM.format(blocked={"pandas", "pyarrow"}, args=["panel", str(REPORTS)], heavy={"pandas"})
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert json.loads(lines[-1])["code"] == 2
    assert "pip install 'govledger[panel]'" in lines[0] and "Traceback" not in proc.stderr
