"""``govledger public`` is ``govledger serve --public-only``: one program, a setting."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner


def _app():  # type: ignore[no-untyped-def]
    from govledger.cli import _register, app

    _register()
    return app


def test_public_is_the_serve_command_in_read_only_mode(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    from fastapi.testclient import TestClient

    db = str(tmp_path / "p.db")
    result = CliRunner().invoke(_app(), ["public", "--db", db, "--port", "8123"])
    assert result.exit_code == 0, result.output
    app = started["app"]
    assert app.state.read_only is True and app.state.public_scope == "all" and started["port"] == 8123  # type: ignore[attr-defined]
    client = TestClient(app)  # type: ignore[arg-type]
    assert client.get("/public").status_code == 200
    assert client.get("/login").status_code == 404 and client.get("/api/v1/reports").status_code == 404
    # the same command without the setting is the whole workspace
    assert CliRunner().invoke(_app(), ["serve", "--db", db]).exit_code == 0
    full = TestClient(started["app"])  # type: ignore[arg-type]
    assert full.get("/login").status_code == 200 and full.get("/public").status_code == 200
    assert started["app"].state.public_scope == "marked"  # type: ignore[attr-defined]


def test_serve_refuses_an_unknown_public_scope(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["serve", "--public-reports", "some", "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 2 and "must be 'marked' or 'all'" in result.output
