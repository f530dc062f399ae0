"""`otel-agentcost serve`: the local collector for one machine, OTLP/HTTP in, the store out, the dashboards at `/`.

Many agent processes send spans to it (`OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318`), and it is the one
process that owns the chDB directory (see otel_agentcost.receiver), so it is also where that store's dashboards are
read: `http://127.0.0.1:4318/` shows every report, live (see otel_agentcost.web). It runs until SIGTERM or Ctrl-C,
storing every span it acknowledged before it exits.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable

from starlette.routing import BaseRoute

from otel_agentcost.cli.options import UsageError, add_store_option, store_url
from otel_agentcost.receiver import RemoteListenRefused, serve
from otel_agentcost.store import Store

_log = logging.getLogger(__name__)

DEFAULT_PORT = 4318


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help=f"receive OTLP/HTTP spans on 127.0.0.1:{DEFAULT_PORT}, store them, show the dashboards at /",
        description="Receive OTLP/HTTP (POST /v1/traces, protobuf or JSON) from the agents on this machine and "
        "store the spans. Creates the schema when the store lacks it. GET / is the dashboards page, computed for "
        "each request; its address takes the report options without dashes, e.g. /?since=7d&agent=pm.",
    )
    add_store_option(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default: {DEFAULT_PORT})")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="listen on a non-loopback address too; the receiver has no authentication, so trusted networks only",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a port number: give 1 to 65535")
    logging.basicConfig(level=logging.INFO, format="otel-agentcost: %(message)s")
    try:
        serve(store_url(args), host=args.host, port=args.port, allow_remote=args.allow_remote, routes=_dashboards(args))
    except (RemoteListenRefused, OSError) as error:
        raise UsageError(error.strerror if isinstance(error, OSError) and error.strerror else str(error)) from None
    return 0


def _dashboards(args: argparse.Namespace) -> Callable[[Store], list[BaseRoute]]:
    def routes(store: Store) -> list[BaseRoute]:
        from otel_agentcost.web import page_routes  # the page (and its chart library) loads only when serving

        host = f"[{args.host}]" if ":" in args.host else args.host
        _log.info("dashboards on http://%s:%d/", host, args.port)
        return page_routes(store)

    return routes
