"""govledger: government work reports as ledgers of quantified promises and results."""

__version__ = "0.1.0"
