"""CLI command ``govledger public``: the read-only public web views over a folder of reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govledger.cli import app
from govledger.serve.console import fail, one_line_errors


@app.command("public")
@one_line_errors
def public(
    reports: Annotated[Path, typer.Option("--reports", help="Folder of reports named <place>_<year>.<ext>")],
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8001,
    tolerance: Annotated[float, typer.Option(help="Tolerance in percentage points for 左右")] = 0.2,
    tolerance_rel: Annotated[float, typer.Option(help="Relative tolerance for 左右 amounts")] = 0.01,
    corpus: Annotated[
        Path | None, typer.Option(help="The national corpus (national/, statistical_communiques/): /series pages")
    ] = None,
) -> None:
    """Serve public, read-only report cards, indicator and place views (extracted once at start-up)."""
    import uvicorn

    from govledger.serve.public import PublicData, create_app
    from govledger.serve.public.app import echarts_path

    if not reports.is_dir():
        fail(f"{reports}: not a folder")
    if not 0 < port < 65536:
        fail(f"port {port} is out of range")
    typer.echo(f"extracting and verifying the reports of {reports} …", err=True)
    data = PublicData.load(reports, tolerance_pp=tolerance, tolerance_rel=tolerance_rel)
    typer.echo(f"{len(data.docs)} reports, {sum(1 for d in data.docs.values() if d.rows is not None)} pairs "
               f"in {data.seconds:.1f} s; {len(data.errors)} files skipped", err=True)
    if not echarts_path().is_file():
        typer.echo("warning: node_modules/echarts is missing (run `npm ci`): pages show tables without charts",
                   err=True)
    typer.echo(f"public views on http://{host}:{port}/", err=True)
    if corpus is not None and not (corpus / "statistical_communiques").is_dir():
        fail(f"{corpus}: no statistical_communiques/ folder")
    if corpus is not None:
        typer.echo(f"national targets vs official outturns: http://{host}:{port}/series/gdp", err=True)
    uvicorn.run(create_app(data, corpus), host=host, port=port, log_level="warning")
