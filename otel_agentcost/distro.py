"""Zero-code set-up: `opentelemetry-instrument python agent.py` works after installing this package alone.

`opentelemetry-instrument` sets up the SDK only when a distro or configurator is installed. This package registers
both: the configurator is the SDK's own (provider, exporters from `OTEL_*` variables), and the distro sets defaults
that fit an agent reporting to `otel-agentcost serve`: traces over OTLP/HTTP to 127.0.0.1:4318, and no metrics or
logs exporters (the receiver takes traces only). Every default gives way to a variable the user sets.

The configurator puts the spool (otel_agentcost.spool) between the SDK's batch processor and each trace exporter
the `OTEL_TRACES_EXPORTER` variable names (`otlp` over HTTP or gRPC, `agentcost_clickhouse`, any other but
`console`), so every standard `OTEL_*` variable keeps working and the agent never waits for its store.
"""

from __future__ import annotations

import os
from typing import Any

from opentelemetry.instrumentation.distro import BaseDistro  # type: ignore[attr-defined]
from opentelemetry.sdk._configuration import _OTelSDKConfigurator

from otel_agentcost.spool import spooling_processor

DEFAULTS = {
    "OTEL_TRACES_EXPORTER": "otlp",
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
}


class AgentCostDistro(BaseDistro):  # type: ignore[misc]
    def _configure(self, **kwargs: Any) -> None:
        for name, value in DEFAULTS.items():
            os.environ.setdefault(name, value)


class AgentCostConfigurator(_OTelSDKConfigurator):
    """The SDK's standard configurator, registered under this package so that it is present without a distro,
    with the spool in front of the trace exporters."""

    def _configure(self, **kwargs: Any) -> None:
        kwargs.setdefault("export_span_processor", spooling_processor)
        super()._configure(**kwargs)
