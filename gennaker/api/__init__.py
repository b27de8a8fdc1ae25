"""The REST API (FastAPI, Spinnaker Gate-compatible paths) and server-sent events.

Modules: ``app`` (``create_app``: the FastAPI application over a ``PipelineService``), ``principal``
(who is asking), ``errors`` (every failure as a 4xx naming what and where), ``sse`` (live execution
events), ``stagepatch`` (checks of user operations on stages), ``server`` (``serve``: API + workers in one
process, what ``gennaker server`` runs), ``routers/*`` (one router per resource: applications,
pipelines, executions, tasks, events, health). Routers only translate HTTP to facade calls.
"""
