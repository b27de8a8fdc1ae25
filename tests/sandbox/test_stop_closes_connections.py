"""A stopped sandbox stops serving: clients on kept-alive connections and open watches see it gone."""

from __future__ import annotations

import http.client
import threading

import pytest

from gennaker.sandbox import SandboxCluster


@pytest.mark.timeout(30)
def test_keep_alive_connection_and_watch_are_cut_on_stop() -> None:
    cluster = SandboxCluster(port=0, workloads=False).start()
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=10)
    conn.request("GET", "/version")
    assert conn.getresponse().read()  # the connection is now kept alive

    watch = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=10)
    watch.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=60")
    resp = watch.getresponse()
    ended = threading.Event()

    def drain() -> None:
        try:
            while resp.read1(1024):
                pass
        except (OSError, ValueError, http.client.HTTPException):
            pass  # a cut mid-chunk is how the end shows up
        ended.set()

    threading.Thread(target=drain, daemon=True).start()
    cluster.stop()
    assert ended.wait(10), "the watch stream should end when the sandbox stops"
    with pytest.raises((OSError, http.client.HTTPException)):
        conn.request("GET", "/version")
        conn.getresponse().read()
