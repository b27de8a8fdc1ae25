"""Automated canary analysis in the manner of Kayenta: canary configs, metric sources, the
NetflixACAJudge-v1.0 Mann-Whitney judge, scores and reports, and the kayentaCanary stage.

Map (what exists so far; storage, the API, the stage and canary deployments build on it):

* :mod:`.config` and :mod:`.queries` -- Kayenta's canary config JSON as typed models, with validation whose
  errors name the metric and the field (:func:`.config.parse_canary_config`).
* :mod:`.scope` -- a canary scope (server group, location, time range, step, extended scope params).
* :mod:`.judge` -- the judges by name (:func:`.judge.registry.get_judge`), ``NetflixACAJudge-v1.0``
  (:func:`.judge.netflix_aca.judge`) and the ``RemoteJudge-v1.0`` body handler (:mod:`.judge.remote`).
* :mod:`.metrics` -- ``MetricSet``/``MetricSetPair``, Kayenta's pairing rules (:mod:`.metrics.mixer`), the
  metric-source registry (:mod:`.metrics.registry`) and the Prometheus source (:mod:`.metrics.prometheus`).
* :mod:`.errors` -- every error raised here derives from :class:`.errors.CanaryError`.

This package sits in the providers layer and imports only the standard library, pydantic and numpy.
"""
