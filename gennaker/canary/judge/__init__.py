"""Canary judges: Kayenta's ``NetflixACAJudge-v1.0`` (Mann-Whitney classification, weighted group scoring) and
the ``RemoteJudge-v1.0`` request/response protocol.

Map: :mod:`.netflix_aca` (the judge) uses :mod:`.preprocess` (NaN and outlier handling), :mod:`.stats`
(descriptive statistics, percentiles, effect sizes), :mod:`.classifier` (per-metric labels) built on
:mod:`.mannwhitney` (the rank-sum interval) and :mod:`.zeroin` (R's root finder), :mod:`.scorer` (group and
summary scores) and :mod:`.results` (the CanaryJudgeResult JSON). :mod:`.registry` maps judge names to judges;
:mod:`.remote` handles ``POST /judge`` bodies.
"""
