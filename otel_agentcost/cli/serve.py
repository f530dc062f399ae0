"""`otel-agentcost serve`: the local collector for one machine, OTLP/HTTP in, the store out.

Many agent processes send spans to it (`OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318`), and it is the one
process that owns the chDB directory (see otel_agentcost.receiver). It runs until SIGTERM or Ctrl-C, storing
every span it acknowledged before it exits.
"""

from __future__ import annotations

import argparse
import logging

from otel_agentcost.cli.options import UsageError, add_store_option, store_url
from otel_agentcost.receiver import RemoteListenRefused, serve

DEFAULT_PORT = 4318


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help=f"receive OTLP/HTTP spans on 127.0.0.1:{DEFAULT_PORT} and store them",
        description="Receive OTLP/HTTP (POST /v1/traces, protobuf or JSON) from the agents on this machine and "
        "store the spans. Creates the schema when the store lacks it.",
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
        serve(store_url(args), host=args.host, port=args.port, allow_remote=args.allow_remote)
    except (RemoteListenRefused, OSError) as error:
        raise UsageError(error.strerror if isinstance(error, OSError) and error.strerror else str(error)) from None
    return 0
