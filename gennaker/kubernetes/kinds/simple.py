"""Kinds without a rollout: stable as soon as they exist (Service, Ingress, ConfigMap, Secret,
NetworkPolicy, RBAC, storage, ...). Each differs only in data: where it lives in the API, its deploy
priority, whether it is versioned (ConfigMap, Secret), cached, and its classic-view category.
"""

from __future__ import annotations

from gennaker.kubernetes.kinds import base as b
from gennaker.kubernetes.kinds.base import KindHandler

HANDLERS: tuple[KindHandler, ...] = (
    KindHandler(
        "Namespace", "", "v1", "namespaces", namespaced=False, priority=b.NAMESPACE_PRIORITY, cached=True
    ),
    KindHandler("Role", "rbac.authorization.k8s.io", "v1", "roles", priority=b.ROLE_PRIORITY),
    KindHandler(
        "ClusterRole",
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        namespaced=False,
        priority=b.ROLE_PRIORITY,
    ),
    KindHandler(
        "RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", priority=b.ROLE_BINDING_PRIORITY
    ),
    KindHandler(
        "ClusterRoleBinding",
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        namespaced=False,
        priority=b.ROLE_BINDING_PRIORITY,
    ),
    KindHandler(
        "CustomResourceDefinition",
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        namespaced=False,
        priority=b.RESOURCE_DEFINITION_PRIORITY,
    ),
    KindHandler("ServiceAccount", "", "v1", "serviceaccounts", priority=b.SERVICE_ACCOUNT_PRIORITY),
    KindHandler(
        "StorageClass",
        "storage.k8s.io",
        "v1",
        "storageclasses",
        namespaced=False,
        priority=b.STORAGE_PRIORITY,
    ),
    KindHandler(
        "PersistentVolume", "", "v1", "persistentvolumes", namespaced=False, priority=b.STORAGE_PRIORITY
    ),
    KindHandler(
        "PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", priority=b.MOUNTABLE_DATA_PRIORITY
    ),
    KindHandler(
        "ConfigMap",
        "",
        "v1",
        "configmaps",
        versioned=True,
        priority=b.MOUNTABLE_DATA_PRIORITY,
        spinnaker_kind="configs",
        cached=True,
    ),
    KindHandler(
        "Secret",
        "",
        "v1",
        "secrets",
        versioned=True,
        priority=b.MOUNTABLE_DATA_PRIORITY,
        spinnaker_kind="configs",
        cached=True,
    ),
    KindHandler(
        "Service",
        "",
        "v1",
        "services",
        priority=b.NETWORK_RESOURCE_PRIORITY,
        spinnaker_kind="loadBalancers",
        cached=True,
    ),
    KindHandler(
        "Ingress",
        "networking.k8s.io",
        "v1",
        "ingresses",
        priority=b.NETWORK_RESOURCE_PRIORITY,
        spinnaker_kind="loadBalancers",
        cached=True,
    ),
    KindHandler(
        "NetworkPolicy",
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        priority=b.NETWORK_RESOURCE_PRIORITY,
        spinnaker_kind="securityGroups",
        cached=True,
    ),
    KindHandler(
        "PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", priority=b.WORKLOAD_MODIFIER_PRIORITY
    ),
    KindHandler(
        "CronJob", "batch", "v1", "cronjobs", priority=b.WORKLOAD_PRIORITY, cached=True, pod_template=True
    ),
    KindHandler(
        "ReplicationController",
        "",
        "v1",
        "replicationcontrollers",
        priority=b.WORKLOAD_PRIORITY,
        spinnaker_kind="serverGroups",
        can_scale=True,
        pod_template=True,
    ),
    KindHandler("ControllerRevision", "apps", "v1", "controllerrevisions", priority=b.LOWEST_PRIORITY),
    KindHandler("Event", "", "v1", "events", priority=b.LOWEST_PRIORITY),
    KindHandler("Endpoints", "", "v1", "endpoints", priority=b.NETWORK_RESOURCE_PRIORITY),
)
