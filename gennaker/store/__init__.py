"""Persistence: SQLAlchemy 2 tables and repositories for applications, pipeline configs (every saved
version kept), executions, stages, the work queue and the audit log. SQLite (WAL) by default, PostgreSQL
for scale (``GENNAKER_DATABASE_URL``); Alembic migrations. Imports only ``gennaker.model``.
"""
