"""GitHub, GitLab and Bitbucket file APIs played by a real local HTTP server (``HttpPeer``).

The answers follow the shapes the services document: GitHub's contents API JSON (``type``, ``encoding``,
base64 ``content`` with line breaks every 60 characters, ``download_url``, ``sha``...; ``content`` empty and
``encoding: none`` for files over 1 MB; a JSON list for a directory; ``{"message": "Not Found",
"documentation_url": ...}`` errors), GitLab's raw file endpoint with ``Private-Token`` and ``{"message":
"404 File Not Found"}``, Bitbucket Cloud's ``/2.0/repositories/<ws>/<repo>/src/<commit>/<path>`` raw files
and its ``{"type": "error", "error": {"message": ...}}`` errors.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import unquote

from tests.support.http_peer import HttpPeer, Request, Response

GITHUB_INLINE_LIMIT = 1024 * 1024
Files = dict[str, dict[str, bytes]]  # ref -> path -> content


def _json(status: int, data: object) -> Response:
    return Response(status, json.dumps(data), {"Content-Type": "application/json; charset=utf-8"})


def _wrapped_b64(content: bytes) -> str:
    text = base64.b64encode(content).decode()
    return "".join(text[i : i + 60] + "\n" for i in range(0, len(text), 60))


def serve_github(peer: HttpPeer, files: Files, *, token: str | None, prefix: str = "") -> None:
    """GitHub's ``GET /repos/{owner}/{repo}/contents/{path}?ref=`` and the raw download URLs."""

    def authorized(request: Request) -> bool:
        if token is None:
            return True
        return request.header("authorization") in (f"token {token}", f"Bearer {token}")

    def contents(request: Request, match: re.Match[str]) -> Response:
        if not authorized(request):
            return _json(
                401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
            )
        owner, repo, path = match.group(1), match.group(2), unquote(match.group(3))
        ref = (request.query.get("ref") or ["main"])[0]
        tree = files.get(ref)
        not_found = _json(
            404,
            {
                "message": "Not Found",
                "documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content",
                "status": "404",
            },
        )
        if tree is None:
            return not_found
        api = f"{peer.url}{prefix}/repos/{owner}/{repo}/contents"
        if path not in tree:
            children = sorted(p for p in tree if p.startswith(path.rstrip("/") + "/"))
            if not children:
                return not_found
            return _json(
                200,
                [
                    {"type": "file", "name": c.rsplit("/", 1)[-1], "path": c, "url": f"{api}/{c}?ref={ref}"}
                    for c in children
                ],
            )
        content = tree[path]
        large = len(content) > GITHUB_INLINE_LIMIT
        body = {
            "type": "file",
            "encoding": "none" if large else "base64",
            "size": len(content),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": "" if large else _wrapped_b64(content),
            "sha": hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest(),
            "url": f"{api}/{path}?ref={ref}",
            "git_url": f"{peer.url}{prefix}/repos/{owner}/{repo}/git/blobs/x",
            "html_url": f"{peer.url}/{owner}/{repo}/blob/{ref}/{path}",
            "download_url": f"{peer.url}/raw/{owner}/{repo}/{ref}/{path}",
            "_links": {"self": f"{api}/{path}?ref={ref}"},
        }
        return _json(200, body)

    def raw(request: Request, match: re.Match[str]) -> Response:
        if not authorized(request):
            return Response(404, "404: Not Found")
        ref, path = match.group(3), match.group(4)
        content = files.get(ref, {}).get(path)
        if content is None:
            return Response(404, "404: Not Found")
        return Response(200, content, {"Content-Type": "text/plain; charset=utf-8"})

    peer.route("GET", rf"{re.escape(prefix)}/repos/([^/]+)/([^/]+)/contents/(.+)", contents)
    peer.route("GET", r"/raw/([^/]+)/([^/]+)/([^/]+)/(.+)", raw)


def serve_gitlab(peer: HttpPeer, files: Files, *, token: str | None) -> None:
    """GitLab's ``GET /api/v4/projects/:id/repository/files/:file_path/raw?ref=``."""

    def raw(request: Request, match: re.Match[str]) -> Response:
        if token is not None and request.header("private-token") != token:
            return _json(401, {"message": "401 Unauthorized"})
        path = unquote(match.group(2))
        ref = (request.query.get("ref") or [""])[0]
        if not ref:
            return _json(400, {"error": "ref is missing"})
        content = files.get(ref, {}).get(path)
        if content is None:
            return _json(404, {"message": "404 File Not Found"})
        return Response(200, content, {"Content-Type": "text/plain; charset=utf-8", "X-Gitlab-Ref": ref})

    peer.route("GET", r"/api/v4/projects/([^/]+)/repository/files/([^/]+)/raw", raw)


def serve_bitbucket(
    peer: HttpPeer, files: Files, *, token: str | None = None, basic: tuple[str, str] | None = None
) -> None:
    """Bitbucket Cloud's ``GET /2.0/repositories/{workspace}/{repo}/src/{commit}/{path}``."""

    def raw(request: Request, match: re.Match[str]) -> Response:
        auth = request.header("authorization")
        allowed = token is None and basic is None
        if token is not None and auth == f"Bearer {token}":
            allowed = True
        if basic is not None and auth == "Basic " + base64.b64encode(":".join(basic).encode()).decode():
            allowed = True
        if not allowed:
            return _json(401, {"type": "error", "error": {"message": "Unauthorized"}})
        commit, path = match.group(3), match.group(4)
        content = files.get(commit, {}).get(path)
        if content is None:
            return _json(404, {"type": "error", "error": {"message": f"No such file or directory: {path}"}})
        return Response(200, content, {"Content-Type": "application/octet-stream"})

    peer.route("GET", r"/2.0/repositories/([^/]+)/([^/]+)/src/([^/]+)/(.+)", raw)
