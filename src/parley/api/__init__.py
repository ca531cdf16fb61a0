"""Transports: wire schemas to and from domain types, and statuses. No models, no SQL."""
