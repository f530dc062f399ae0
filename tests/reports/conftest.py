"""The dashboards' chDB store per module and dialect (with the schema and the test price table), shared with
tests/dashboards: the Grafana panels run the same SQL on the same kind of store."""

from __future__ import annotations

from dashboards.conftest import dialect, store

__all__ = ["dialect", "store"]
