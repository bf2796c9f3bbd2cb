"""``python -m govledger`` runs the CLI."""

from govledger.cli import main

main()
