"""A tiny image pusher: builds a one-layer image in memory and pushes it to a registry over API v2.

Who calls it: tests and the benchmark of the docker trigger, and demos that need "a new tag in the registry"
without a Docker engine (there is none on this machine). The image is real as far as a registry is concerned:
a gzipped tar layer, an image config whose ``rootfs.diff_ids`` is the layer's uncompressed digest, and a
Docker schema-2 manifest referencing both; blobs are uploaded monolithically (``POST`` + ``PUT ?digest=``),
then the manifest is ``PUT`` under the tag. It is not meant to run anywhere.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass

from gennaker.triggers.docker.client import RegistryClient

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_V1 = "application/vnd.docker.container.image.v1+json"
LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"


@dataclass(frozen=True)
class PushedImage:
    """What was pushed: ``repository:tag`` and the manifest's digest."""

    repository: str
    tag: str
    digest: str


def _layer(files: Mapping[str, bytes]) -> tuple[bytes, bytes]:
    """(uncompressed tar, gzipped tar), byte-for-byte reproducible."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mtime = 0
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(files[name]))
    tar = raw.getvalue()
    return tar, gzip.compress(tar, mtime=0)


def push_image(
    client: RegistryClient,
    repository: str,
    tag: str,
    *,
    files: Mapping[str, bytes] | None = None,
    labels: Mapping[str, str] | None = None,
) -> PushedImage:
    """Push a one-layer image holding ``files`` (default: a file naming the tag) as ``repository:tag``."""
    tar, layer = _layer(
        files if files is not None else {"etc/gennaker-image": f"{repository}:{tag}\n".encode()}
    )
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Labels": dict(labels or {})},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
        "history": [{"created_by": "gennaker pusher"}],
    }
    config_blob = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    layer_digest = client.upload_blob(repository, layer)
    config_digest = client.upload_blob(repository, config_blob)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_V2,
        "config": {"mediaType": CONFIG_V1, "size": len(config_blob), "digest": config_digest},
        "layers": [{"mediaType": LAYER_TAR_GZIP, "size": len(layer), "digest": layer_digest}],
    }
    body = json.dumps(manifest, separators=(",", ":")).encode()
    digest = client.put_manifest(repository, tag, body, MANIFEST_V2)
    return PushedImage(repository, tag, digest)
