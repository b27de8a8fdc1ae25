"""Fixtures: a real ``gennaker server`` subprocess on a loopback port per module, a client of it, and a
real local HTTP server for webhooks (see ``tests.realserver``)."""

from tests.realserver import api, http, providers_server, server

__all__ = ["api", "http", "providers_server", "server"]
