"""Per-kind knowledge, one module per kind with rules (deployment, replicaset, statefulset, daemonset, job,
pod, hpa) and ``simple`` for the kinds that are data only; ``base`` defines ``KindHandler`` and
``ManifestStatus``; ``registry.KINDS`` holds them all. Stability rules are tested from YAML fixtures
(``tests/kubernetes/kinds/fixtures/<kind>/*.yaml``), one walker for every kind.
"""

from gennaker.kubernetes.kinds.base import Condition, KindHandler, ManifestStatus, lower_camel
from gennaker.kubernetes.kinds.registry import KINDS, KindRegistry, kind_key

__all__ = ["KINDS", "Condition", "KindHandler", "KindRegistry", "ManifestStatus", "kind_key", "lower_camel"]
