"""The package version, read from the installed distribution so that pyproject.toml is its only source."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("otel-agentcost")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
