"""What the source-hosting file accounts (GitHub, GitLab, Bitbucket) share: resolving a reference
against the account's ``baseUrl`` and refusing to send credentials anywhere else.

Who calls it: ``github``, ``gitlab`` and ``bitbucket``. Spinnaker sends the account's token to whatever URL
the artifact's reference names; we send it only to the configured server. A reference may be a full API URL
under ``baseUrl`` (what Spinnaker produces, e.g. ``https://api.github.com/repos/o/r/contents/x.yml``) or a
path relative to it (``repos/o/r/contents/x.yml``), which makes a GitHub Enterprise account or a local test
server a matter of configuration.
"""

from __future__ import annotations

from urllib.parse import urlsplit


class ReferenceOutsideBaseUrl(ValueError):
    """The artifact's reference points to a server other than the account's ``baseUrl``."""


def normalize_base_url(value: str) -> str:
    """``baseUrl`` without a trailing slash; raises ``ValueError`` unless it is an http(s) URL."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"baseUrl {value!r} must be an http:// or https:// URL")
    return value.rstrip("/")


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs share scheme, host and port."""
    a, b = urlsplit(url), urlsplit(other)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


def resolve_reference(reference: str | None, base_url: str) -> str:
    """The absolute URL of ``reference`` under ``base_url``; raises ``ReferenceOutsideBaseUrl`` otherwise."""
    ref = (reference or "").strip()
    if not ref:
        raise ReferenceOutsideBaseUrl("its reference is empty")
    if "://" not in ref:
        return f"{base_url}/{ref.lstrip('/')}"
    parts = urlsplit(ref)
    base = urlsplit(base_url)
    base_path = base.path.rstrip("/")
    inside = same_origin(ref, base_url) and (
        parts.path == base_path or parts.path.startswith(base_path + "/") or not base_path
    )
    if not inside:
        raise ReferenceOutsideBaseUrl(
            f"reference {ref!r} is not under the account's baseUrl {base_url!r}; the account's credentials "
            "are only sent to its baseUrl (configure an account for that server, or fix the reference)"
        )
    return ref
