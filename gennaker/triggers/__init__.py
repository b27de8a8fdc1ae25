"""Triggers: the engine-independent primitives behind Spinnaker's trigger types (Echo + Igor).

Map of the package:
- ``cron``: Quartz cron expressions in a time zone (``CronExpression``) and ``due_firings``, the pure core of
  a restart-safe scheduler;
- ``docker``: the Docker Registry v2 client, the tag poller (``TagPoller``, state in/out as JSON), an image
  pusher and a local registry runner for tests, benchmarks and demos;
- ``webhooks``: signature checks for GitHub, GitLab and Bitbucket, git push payload parsing, and a generic
  webhook trigger's ``payloadConstraints``;
- ``helm``: the Helm repository watcher core (new chart versions);
- ``patterns``: time-bounded matching of trigger patterns against outside input.
Wiring into the engine (matching events to pipeline triggers, the scheduler, the webhook endpoints, the
trigger event log) comes later and calls these. Nothing here persists: states are handed in and out.
"""
