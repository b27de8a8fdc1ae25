"""Helm charts in OCI registries (``oci://host/path``), through the Helm SDK (PyPI ``helm-python-sdk``).

Who calls it: the ``helm`` account when its ``repository`` starts with ``oci://``. What the SDK offers and
we use: ``helm_python.pull(oci_ref, client=..., version=..., destination=..., plain_http=...)`` downloads
``<name>-<version>.tgz``; ``RegistryClient.tags(ref)`` lists a chart's versions newest first. Private
registries need ``RegistryClient.login`` first (the SDK's ``pull(username=, password=)`` is not applied to
OCI references, so we always log in a client of our own). Both are blocking calls into Helm's Go code with no
timeout parameter, so each runs in a worker thread that we stop waiting for after ``timeoutSeconds``
(the call itself then finishes in the background; its result is discarded).

Invariants: credentials go to the SDK call only (the SDK never logs them); the login's credentials file is
a temporary file deleted after the call; the downloaded archive is checked against ``maxBytes``.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from gennaker.artifacts.transport import FetchLimits

T = TypeVar("T")


class OciChartError(Exception):
    """The Helm SDK failed, or did not answer in time; the message is the SDK's."""


def _call_with_timeout(fn: Callable[[], T], timeout: float, what: str) -> T:
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # the SDK's errors are reported to the caller
            error.append(exc)

    worker = threading.Thread(target=run, name=f"helm-oci-{what}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise OciChartError(f"{what} took longer than {timeout:g} s")
    if error:
        raise OciChartError(f"{what} failed: {error[0]}") from None
    return result[0]


def chart_ref(repository: str, name: str) -> str:
    """``oci://host/path`` + chart name -> ``oci://host/path/name``."""
    return f"{repository.rstrip('/')}/{name}"


def list_tags(
    repository: str,
    name: str,
    *,
    plain_http: bool,
    username: str | None,
    password: str | None,
    limits: FetchLimits,
) -> list[str]:
    """The chart's versions in the registry, newest first."""
    import helm_python

    ref = chart_ref(repository, name)
    host = urlsplit(repository).netloc

    def tags() -> list[str]:
        with tempfile.TemporaryDirectory(prefix="gennaker-helm-oci-") as tmp:
            client = helm_python.RegistryClient(
                plain_http=plain_http, credentials_file=Path(tmp) / "config.json"
            )
            with client:
                if username and password is not None:
                    client.login(host, username, password, plain_http=plain_http)
                return list(client.tags(ref))

    return _call_with_timeout(tags, limits.timeout_seconds, f"listing the versions of {ref}")


def pull_chart(
    repository: str,
    name: str,
    version: str,
    *,
    plain_http: bool,
    username: str | None,
    password: str | None,
    limits: FetchLimits,
) -> bytes:
    """The chart archive (``.tgz``) of ``name`` at ``version``."""
    import helm_python

    ref = chart_ref(repository, name)

    def pull() -> bytes:
        with tempfile.TemporaryDirectory(prefix="gennaker-helm-oci-") as tmp:
            client = helm_python.RegistryClient(
                plain_http=plain_http, credentials_file=Path(tmp) / "config.json"
            )
            with client:
                if username and password is not None:
                    # pull(username=, password=) is not applied to OCI registries by the SDK: log in instead.
                    client.login(urlsplit(repository).netloc, username, password, plain_http=plain_http)
                out = Path(tmp) / "out"
                out.mkdir()
                kwargs: dict[str, Any] = {
                    "destination": str(out),
                    "version": version,
                    "plain_http": plain_http,
                }
                helm_python.pull(ref, client=client, **kwargs)
            archives = sorted(out.glob("*.tgz"))
            if not archives:
                raise OciChartError(f"the Helm SDK pulled {ref}:{version} but wrote no .tgz")
            size = archives[0].stat().st_size
            if size > limits.max_bytes:
                raise OciChartError(f"the chart archive is {size} bytes, more than {limits.max_bytes}")
            return archives[0].read_bytes()

    return _call_with_timeout(pull, limits.timeout_seconds, f"pulling {ref}:{version}")
