"""Automated canary analysis in the manner of Kayenta: canary configs, metric sources, the
NetflixACAJudge-v1.0 Mann-Whitney judge, scores and reports, and the kayentaCanary stage.

Map:

* :mod:`.config` and :mod:`.queries` -- Kayenta's canary config JSON as typed models, with validation whose
  errors name the metric and the field (:func:`.config.parse_canary_config`).
* :mod:`.scope` -- a canary scope (server group, location, time range, step, extended scope params).
* :mod:`.judge` -- the judges by name (:func:`.judge.registry.get_judge`), ``NetflixACAJudge-v1.0``
  (:func:`.judge.netflix_aca.judge`) and the ``RemoteJudge-v1.0`` body handler (:mod:`.judge.remote`).
* :mod:`.metrics` -- ``MetricSet``/``MetricSetPair``, Kayenta's pairing rules (:mod:`.metrics.mixer`), the
  metric-source registry (:mod:`.metrics.registry`) and the sources: Prometheus, Datadog, generic HTTP/JSON
  and the sandbox cluster's pod metrics.
* :mod:`.accounts` (metrics accounts, secrets redacted) and :mod:`.transport` (the one httpx adapter).
* :mod:`.run` -- one judgement: fetch every metric for both scopes, pair, judge (in-process or remote).
* :mod:`.stage` -- the ``kayentaCanary`` stage (Orca's interval plan, early stop, aggregation).
* :mod:`.report` and :mod:`.plot` -- per-interval reports and SVG plots of canary vs baseline.
* :mod:`.service` -- ``CanaryService``, the facade the API calls; :mod:`.environment` -- what the stage and
  the service share (accounts, transport, database, clock, remote judge).
* :mod:`.errors` -- every error raised here derives from :class:`.errors.CanaryError`.

This package sits in the providers layer: it imports the engine, stages and store (never the API, UI, CLI or
the sandbox package; the sandbox is reached over HTTP only). Its tables are in ``gennaker.store.canary``.
"""
