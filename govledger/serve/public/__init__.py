"""Public, read-only web views of the verdicts (issue 4): report cards, an indicator across places,
one place year over year, and their JSON twins under ``/api/public/``."""

from govledger.serve.public.app import create_app
from govledger.serve.public.data import PublicData

__all__ = ["PublicData", "create_app"]
