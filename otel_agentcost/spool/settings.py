"""The spool's settings from the environment, and where its directory is by default.

- `AGENTCOST_SPOOL`: `on` (default) or `off`; off leaves exporters unwrapped (the SDK's batch processor alone).
- `AGENTCOST_SPOOL_DIR`: the spool directory itself. Default: `$XDG_CACHE_HOME` (else `~/.cache`)
  `/otel-agentcost/spool/<16 hex digits of SHA-256 of the target>`, the target being the exporter's endpoint or
  store URL, so spans spooled for one destination are never delivered to another. A directory named here should
  likewise serve one destination.
- `AGENTCOST_SPOOL_MAX_BYTES`: the cap on the directory's segment files, in bytes (default 256 MiB); past it new
  batches are dropped and counted.
- `AGENTCOST_SPOOL_SHUTDOWN_SECONDS`: how long shutdown keeps delivering before it leaves the rest in the spool
  (default 5).

A bad value raises `ValueError` naming the variable and what it accepts, at start-up rather than at the first drop.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from opentelemetry.sdk.trace.export import SpanExporter

SPOOL_ENV = "AGENTCOST_SPOOL"
DIR_ENV = "AGENTCOST_SPOOL_DIR"
MAX_BYTES_ENV = "AGENTCOST_SPOOL_MAX_BYTES"
SHUTDOWN_ENV = "AGENTCOST_SPOOL_SHUTDOWN_SECONDS"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_SHUTDOWN_SECONDS = 5.0
_ON = {"on", "true", "1", "yes"}
_OFF = {"off", "false", "0", "no"}


def spool_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    value = environ.get(SPOOL_ENV, "on").strip().lower()
    if value in _ON | _OFF:
        return value in _ON
    raise ValueError(f"{SPOOL_ENV}={environ[SPOOL_ENV]!r} is neither on nor off: set it to on (the default) or off")


def spool_directory(target: str, environ: Mapping[str, str] = os.environ) -> Path:
    if environ.get(DIR_ENV):
        return Path(environ[DIR_ENV]).expanduser()
    cache = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "otel-agentcost" / "spool" / hashlib.sha256(target.encode()).hexdigest()[:16]


def max_bytes(environ: Mapping[str, str] = os.environ) -> int:
    text = environ.get(MAX_BYTES_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise ValueError(f"{MAX_BYTES_ENV}={text!r} is not a size: give a whole number of bytes, e.g. 268435456")


def shutdown_seconds(environ: Mapping[str, str] = os.environ) -> float:
    text = environ.get(SHUTDOWN_ENV, "").strip()
    if not text:
        return DEFAULT_SHUTDOWN_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if seconds >= 0:
        return seconds
    raise ValueError(f"{SHUTDOWN_ENV}={text!r} is not a duration: give seconds, e.g. 5 or 0.5")


def target_of(exporter: SpanExporter) -> str:
    """Where `exporter` sends spans: the OTLP exporters' endpoint, the ClickHouse exporter's store URL.

    Neither exporter makes it public; both have kept these attribute names for years. Another exporter is keyed by
    its class, so two of a kind share a directory only when nothing tells them apart.
    """
    for name in ("_endpoint", "_url"):
        value = getattr(exporter, name, None)
        if value is not None:
            return f"{type(exporter).__qualname__} {value}"
    return f"{type(exporter).__module__}.{type(exporter).__qualname__}"
