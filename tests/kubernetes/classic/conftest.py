"""Fixtures: a real ``gennaker server`` with every provider per module (see ``tests.realserver``)."""

from tests.realserver import providers_server

__all__ = ["providers_server"]
