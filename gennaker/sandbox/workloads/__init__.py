"""Workload controllers: Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, HPA, Endpoints, Events.

Each controller is one module built on :mod:`gennaker.sandbox.controllers`; they are registered on every
sandbox by :mod:`gennaker.sandbox.builtin` (which also adds the simulated scheduler and kubelets).
Shared pieces: ``common`` (pod predicates, conditions, owned objects), ``events`` (the event recorder),
``hashing`` (template hashes, ControllerRevision data), ``deployment_util`` (the rollout arithmetic).
"""
