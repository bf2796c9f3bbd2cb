"""The ``govledger`` command: one Typer app, its commands grouped by stage.

Each ``cli_*`` module under ``govledger/serve`` registers its commands on
``app``; this module only wires them together and maps ``ReportError`` to a
one-line message and exit code 2.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: Rich's Markdown renderer alone costs ~0.3 s of start-up
    help="Turn government work reports into ledgers of quantified targets and achievements.",
)


@app.callback()
def _options(
    catalogue: str = typer.Option(
        "", "--catalogue", envvar="GOVLEDGER_CATALOGUE", metavar="FILE",
        help="JSON file of your own indicators and aliases, added to the installed catalogue",
    ),
) -> None:
    """Options for every command."""
    import os

    if catalogue:
        os.environ["GOVLEDGER_CATALOGUE"] = catalogue  # workers and every stage read it from here


def _register() -> None:
    # imported for their side effect of adding commands to ``app``
    import importlib

    for name in ("cli_extract", "cli_store", "cli_verify", "cli_workspace", "cli_outturns"):
        try:
            importlib.import_module(f"govledger.serve.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"govledger.serve.{name}":
                raise


def main() -> None:
    _register()
    app(prog_name="govledger")


if __name__ == "__main__":  # pragma: no cover
    # run as a script: register on the importable module's app, not on this __main__ copy
    from govledger.cli import main as _main

    _main()
