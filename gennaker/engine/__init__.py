"""The durable orchestrator (Orca + Keiko in one package).

Entry points for other layers:
- ``gennaker.engine.service.PipelineService``: the facade (configs, executions, user operations, events);
- ``gennaker.engine.worker.WorkerPool`` / ``run_worker``: the workers;
- ``gennaker.engine.runtime.EngineRuntime``: what both are built on;
- ``gennaker.engine.stagedef`` and ``gennaker.engine.registry``: the contract stage types implement.

See docs/engine.md for the design (queue, leases, wake-ups, restart behaviour).
"""
