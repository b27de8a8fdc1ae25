"""The REST API (FastAPI, Spinnaker Gate-compatible paths) and server-sent events."""
