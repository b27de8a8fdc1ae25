"""Pydantic models of applications, pipeline configs (Spinnaker pipeline JSON), stages, triggers,
artifacts and executions: the one schema every other part speaks.

Invariants: unknown keys of a pipeline config or a stage are kept and returned unchanged, so an existing
Spinnaker pipeline survives a save/load round trip. Imports nothing else from gennaker.
"""
