"""WebSocket endpoints for browsers."""
