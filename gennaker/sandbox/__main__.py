"""``python -m gennaker.sandbox serve [--port N] [--kubeconfig PATH] [--state-file PATH]``.

A standalone sandbox API server; the CLI's ``gennaker sandbox serve`` calls the same
:func:`gennaker.sandbox.cluster.serve`.
"""

from __future__ import annotations

import argparse
import logging
import sys

from .cluster import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gennaker.sandbox", description="Gennaker sandbox cluster"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run a sandbox Kubernetes API server on 127.0.0.1")
    s.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--kubeconfig", help="write a kubeconfig for this sandbox to PATH")
    s.add_argument("--context", default="sandbox", help="context name in the kubeconfig")
    s.add_argument("--state-file", help="keep objects in PATH across restarts")
    s.add_argument("--nodes", type=int, default=3, help="number of simulated nodes")
    s.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return serve(
        port=args.port,
        kubeconfig=args.kubeconfig,
        state_file=args.state_file,
        host=args.host,
        context=args.context,
        nodes=args.nodes,
    )


if __name__ == "__main__":
    sys.exit(main())
