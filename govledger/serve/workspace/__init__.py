"""The supervision workspace (督查工作台): FastAPI app, Chinese pages and the ``/api/v1`` JSON API."""
