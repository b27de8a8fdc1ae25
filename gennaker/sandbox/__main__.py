"""``python -m gennaker.sandbox serve [--port N] [--kubeconfig PATH] [--state-file PATH] [--fault RULE]...``.

A standalone sandbox API server; the CLI's ``gennaker sandbox serve`` calls the same
:func:`gennaker.sandbox.cluster.serve`.
"""

from __future__ import annotations

import argparse
import logging
import sys

from .cluster import serve
from .kubelet.faults import FaultError, parse_rule_text
from .simulation import SimulationSettings


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
    defaults = SimulationSettings()
    s.add_argument(
        "--start-delay", type=float, default=defaults.start_delay, help="seconds from scheduling to running"
    )
    s.add_argument(
        "--ready-delay", type=float, default=defaults.ready_delay, help="seconds from running to Ready"
    )
    s.add_argument(
        "--run-seconds", type=float, default=defaults.run_seconds, help="how long Job containers run"
    )
    s.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="IMAGE_GLOB=FAULT[:EXIT_CODE]",
        help="a sandbox-wide fault rule, e.g. 'registry.local/bad:*=never-ready' (repeatable)",
    )
    s.add_argument(
        "--no-controllers", action="store_true", help="a bare API server: no controllers or kubelets"
    )
    s.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    try:
        for text in args.fault:
            parse_rule_text(text)
    except FaultError as e:
        parser.error(str(e))
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
        simulation=SimulationSettings(
            start_delay=args.start_delay, ready_delay=args.ready_delay, run_seconds=args.run_seconds
        ),
        faults=args.fault,
        workloads=not args.no_controllers,
    )


if __name__ == "__main__":
    sys.exit(main())
