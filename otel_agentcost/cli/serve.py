"""`otel-agentcost serve`: the local collector for one machine, OTLP/HTTP in, the store out, the dashboards at `/`.

Many agent processes send spans to it (`OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318`), and it is the one
process that owns the chDB directory (see otel_agentcost.receiver), so it is also where that store's dashboards are
read: `http://127.0.0.1:4318/` shows every report, live (see otel_agentcost.web). It runs until SIGTERM or Ctrl-C,
storing every span it acknowledged before it exits; killed outright, it stores them on its next start (the journal).
Beyond loopback it requires a token, from --token-file or AGENTCOST_SERVE_TOKEN (the file wins when both are set),
unless --insecure-no-auth says to go without.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable
from pathlib import Path

from starlette.routing import BaseRoute

from otel_agentcost.cli.options import UsageError, add_store_option, store_url
from otel_agentcost.receiver import RemoteListenRefused, serve
from otel_agentcost.receiver.app import DEFAULT_JOURNAL_MAX_BYTES
from otel_agentcost.receiver.auth import MIN_TOKEN_LENGTH, TokenError, check_token
from otel_agentcost.receiver.journal import JournalError
from otel_agentcost.receiver.server import DEFAULT_RATE_LIMIT
from otel_agentcost.store import Store

_log = logging.getLogger(__name__)

DEFAULT_PORT = 4318
TOKEN_ENV = "AGENTCOST_SERVE_TOKEN"
MB = 1024 * 1024


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
        "--token-file",
        type=Path,
        metavar="FILE",
        help=f"require the token in FILE (its first line, {MIN_TOKEN_LENGTH}+ characters) on every request but "
        f"/healthz: agents send 'Authorization: Bearer TOKEN', a browser signs in with any user name and the token "
        f"as password (default: ${TOKEN_ENV} when set). Required to listen beyond loopback",
    )
    parser.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="listen beyond loopback with no token: anyone who can reach the port can write spans and read the "
        "dashboards (logged as a warning)",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=None,
        metavar="N",
        help=f"requests a second each client address may make, in bursts of N; over it, 429 with Retry-After "
        f"(default: {DEFAULT_RATE_LIMIT:g} beyond loopback, none on loopback, where every local agent shares one "
        "address; 0: no limit)",
    )
    parser.add_argument(
        "--journal",
        type=Path,
        metavar="DIR",
        help="directory of acknowledged spans not yet stored, replayed on start (default: agentcost-journal/ in "
        "the chDB directory; for a server, $XDG_STATE_HOME/otel-agentcost/journal/ keyed by the store URL)",
    )
    parser.add_argument(
        "--journal-max-mb",
        type=int,
        default=DEFAULT_JOURNAL_MAX_BYTES // MB,
        metavar="MB",
        help="over this many MB waiting in the journal, requests get 503 with Retry-After until the store catches "
        f"up (default: {DEFAULT_JOURNAL_MAX_BYTES // MB})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a port number: give 1 to 65535")
    if (args.rate_limit is not None and args.rate_limit < 0) or args.journal_max_mb < 1:
        raise UsageError("--rate-limit is 0 (no limit) or more, --journal-max-mb 1 or more")
    logging.basicConfig(level=logging.INFO, format="otel-agentcost: %(message)s")
    try:
        serve(
            store_url(args),
            host=args.host,
            port=args.port,
            token=_token(args.token_file),
            insecure_no_auth=args.insecure_no_auth,
            rate_limit=args.rate_limit,
            journal_dir=args.journal,
            journal_max_bytes=args.journal_max_mb * MB,
            routes=_dashboards(args),
        )
    except (RemoteListenRefused, JournalError, TokenError, OSError) as error:
        raise UsageError(error.strerror if isinstance(error, OSError) and error.strerror else str(error)) from None
    return 0


def _token(token_file: Path | None) -> str | None:
    """The token from --token-file, else from the environment, else none."""
    if token_file is not None:
        try:
            first_line = next(iter(token_file.read_text().splitlines()), "")
        except OSError as error:
            raise TokenError(f"cannot read --token-file {token_file}: {error.strerror}") from None
        return check_token(first_line, f"--token-file {token_file}")
    from_env = os.environ.get(TOKEN_ENV)
    return check_token(from_env, TOKEN_ENV) if from_env is not None else None


def _dashboards(args: argparse.Namespace) -> Callable[[Store], list[BaseRoute]]:
    def routes(store: Store) -> list[BaseRoute]:
        from otel_agentcost.web import page_routes  # the page (and its chart library) loads only when serving

        host = f"[{args.host}]" if ":" in args.host else args.host
        _log.info("dashboards on http://%s:%d/", host, args.port)
        return page_routes(store)

    return routes
