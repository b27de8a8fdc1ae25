"""The durable orchestrator in the manner of Orca: typed messages on a queue table, leased by workers
with heartbeats, one handler per message kind, every transition persisted in the same transaction as the
messages it produces, so a killed process loses nothing. Imports ``store``, ``model`` and ``expressions``.
"""
