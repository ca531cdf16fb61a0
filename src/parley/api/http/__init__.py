"""HTTP transport (FastAPI)."""
