"""Automated canary analysis in the manner of Kayenta: canary configs, metric sources, the
NetflixACAJudge-v1.0 Mann-Whitney judge, scores and reports, and the kayentaCanary stage.
"""
