"""Admission plugins: per-write policy the API server applies beyond a kind's own defaulting.

Who calls it: :class:`gennaker.sandbox.apiserver.ApiServer`, which runs every plugin's :meth:`admit` on
each create and update (after defaulting, before validation) and :meth:`committed` after each commit.
A plugin is a small object with those two methods; controllers or tests may append their own to
``ApiServer.admission``.

Built-ins:
- :class:`NamespaceLifecycle`: creating in a missing namespace is 404 ``namespaces "x" not found``; in a
  terminating one 403 Forbidden.
- :class:`ServiceIPs`: allocates ``clusterIP``/``clusterIPs`` from 10.96.0.0/12 (and node ports from
  30000-32767), keeps them on updates that leave them out, frees nothing explicitly (the set of used
  addresses is recomputed from stored Services).
- :class:`DefaultServiceAccount`: every new namespace gets its ``default`` ServiceAccount.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from .errors import ApiError, not_found
from .store import ADDED

if TYPE_CHECKING:
    from .apiserver import ApiServer
    from .registry import ResourceType

Obj = dict[str, Any]


class Admission:
    """Base plugin: override what you need."""

    def admit(self, api: ApiServer, rt: ResourceType, obj: Obj, old: Obj | None) -> None:
        """Mutate or reject (raise ApiError) a write before validation."""

    def committed(self, api: ApiServer, rt: ResourceType, event_type: str, obj: Obj) -> None:
        """React to a committed (non dry-run) write."""


class NamespaceLifecycle(Admission):
    def admit(self, api: ApiServer, rt: ResourceType, obj: Obj, old: Obj | None) -> None:
        if old is not None or not rt.namespaced:
            return
        ns = str(obj["metadata"].get("namespace") or "")
        ns_obj = api.store.get(("", "namespaces"), "", ns)
        if ns_obj is None:
            raise not_found("namespaces", "", ns)
        if ns_obj.get("metadata", {}).get("deletionTimestamp"):
            raise ApiError(
                403,
                "Forbidden",
                f'{rt.group_resource} "{obj["metadata"].get("name", "")}" is forbidden: unable to create new '
                f"content in namespace {ns} because it is being terminated",
                {
                    "name": obj["metadata"].get("name", ""),
                    "group": rt.group,
                    "kind": rt.plural,
                    "causes": [
                        {
                            "reason": "NamespaceTerminating",
                            "message": f"namespace {ns} is being terminated",
                            "field": "metadata.namespace",
                        }
                    ],
                },
            )


SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORTS = range(30000, 32768)


class ServiceIPs(Admission):
    def admit(self, api: ApiServer, rt: ResourceType, obj: Obj, old: Obj | None) -> None:
        if rt.key != ("", "services"):
            return
        spec = obj.get("spec")
        if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
            return
        old_spec = (old or {}).get("spec") or {}
        if old is not None and old_spec.get("clusterIP") and not spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
            spec["clusterIPs"] = list(old_spec.get("clusterIPs") or [old_spec["clusterIP"]])
        if not spec.get("clusterIP"):
            spec["clusterIP"] = self._next_ip(api)
            spec["clusterIPs"] = [spec["clusterIP"]]
        elif spec["clusterIP"] != "None" and old is None:
            self._check_requested(api, spec["clusterIP"], str(obj["metadata"].get("name", "")))
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            used = self._used_node_ports(api)
            old_ports = {
                (p.get("port"), p.get("protocol")): p.get("nodePort") for p in old_spec.get("ports") or []
            }
            for port in spec.get("ports") or []:
                if isinstance(port, dict) and not port.get("nodePort"):
                    keep = old_ports.get((port.get("port"), port.get("protocol")))
                    port["nodePort"] = keep or next(p for p in NODE_PORTS if p not in used)
                    used.add(port["nodePort"])

    def _used(self, api: ApiServer) -> set[str]:
        return {
            str((s.get("spec") or {}).get("clusterIP"))
            for s in api.store.list_objects(("", "services"))
            if (s.get("spec") or {}).get("clusterIP")
        }

    def _next_ip(self, api: ApiServer) -> str:
        used = self._used(api)
        # .1 is the kubernetes service, .10 kube-dns by convention; allocate upwards from .2.
        for offset in range(2, SERVICE_CIDR.num_addresses - 1):
            ip = str(SERVICE_CIDR.network_address + offset)
            if ip not in used and offset != 10:
                return ip
        raise ApiError(
            500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full"
        )

    def _check_requested(self, api: ApiServer, ip: str, name: str) -> None:
        from . import errors

        try:
            addr = ipaddress.ip_address(ip)
        except ValueError as e:
            raise errors.invalid_object(
                "Service",
                "",
                name,
                [
                    errors.invalid(
                        "spec.clusterIPs[0]",
                        ip,
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                    )
                ],
            ) from e
        if addr not in SERVICE_CIDR:
            raise errors.invalid_object(
                "Service",
                "",
                name,
                [
                    errors.invalid(
                        "spec.clusterIPs",
                        [ip],
                        f"failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid "
                        f"range. The range of valid IPs is {SERVICE_CIDR}",
                    )
                ],
            )
        if ip in self._used(api):
            raise errors.invalid_object(
                "Service",
                "",
                name,
                [
                    errors.invalid(
                        "spec.clusterIPs",
                        [ip],
                        f"failed to allocate IP {ip}: provided IP is already allocated",
                    )
                ],
            )

    def _used_node_ports(self, api: ApiServer) -> set[int]:
        used = set()
        for s in api.store.list_objects(("", "services")):
            for p in (s.get("spec") or {}).get("ports") or []:
                if p.get("nodePort"):
                    used.add(int(p["nodePort"]))
        return used


class DefaultServiceAccount(Admission):
    def committed(self, api: ApiServer, rt: ResourceType, event_type: str, obj: Obj) -> None:
        if rt.key != ("", "namespaces") or event_type != ADDED:
            return
        ns = obj["metadata"]["name"]
        if api.store.get(("", "serviceaccounts"), ns, "default") is None:
            sa_rt = api.registry.by_key(("", "serviceaccounts"))
            assert sa_rt is not None
            api.system_create(
                sa_rt,
                ns,
                {"metadata": {"name": "default", "namespace": ns}},
                manager="kube-controller-manager",
            )


def builtin_admission() -> list[Admission]:
    return [NamespaceLifecycle(), ServiceIPs(), DefaultServiceAccount()]
