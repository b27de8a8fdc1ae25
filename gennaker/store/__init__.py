"""Persistence: SQLAlchemy 2 Core tables and small repositories, SQLite (WAL) or PostgreSQL, Alembic.

Modules: ``database`` (engines, transactions, ``upgrade``), ``schema`` (tables), ``configs``
(applications and pipeline configs with history), ``executions`` (execution and stage rows), ``queue``
(the engine's message queue), ``audit`` (who changed what). Repositories are functions over a
``Connection`` so callers compose them into one transaction.
"""

from gennaker.store.database import Database, default_database_url, gennaker_home

__all__ = ["Database", "default_database_url", "gennaker_home"]
