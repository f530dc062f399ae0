"""The spool's settings from the environment: defaults, the directory keyed by destination, and bad values named."""

from __future__ import annotations

from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

from otel_agentcost.spool import settings
from otel_agentcost.store.exporter import ClickHouseSpanExporter


def test_defaults_with_nothing_set():
    assert settings.spool_enabled({})
    assert settings.max_bytes({}) == 256 * 1024 * 1024
    assert settings.shutdown_seconds({}) == 5.0
    directory = settings.spool_directory("target", {})
    assert directory.parent == Path.home() / ".cache" / "otel-agentcost" / "spool"
    assert len(directory.name) == 16


def test_each_destination_has_its_own_directory_under_the_cache():
    environ = {"XDG_CACHE_HOME": "/var/cache/agent"}
    first = settings.spool_directory(settings.target_of(OTLPSpanExporter(endpoint="http://a:4318/v1/traces")), environ)
    second = settings.spool_directory(settings.target_of(OTLPSpanExporter(endpoint="http://b:4318/v1/traces")), environ)
    store = settings.spool_directory(settings.target_of(ClickHouseSpanExporter("chdb:/data/agentcost")), environ)
    assert len({first, second, store}) == 3
    assert first.parent == Path("/var/cache/agent/otel-agentcost/spool")


def test_values_from_the_environment():
    environ = {"AGENTCOST_SPOOL": "Off", "AGENTCOST_SPOOL_DIR": "~/spool", "AGENTCOST_SPOOL_MAX_BYTES": "1048576",
               "AGENTCOST_SPOOL_SHUTDOWN_SECONDS": "0.5"}  # fmt: skip
    assert not settings.spool_enabled(environ)
    assert settings.spool_directory("anything", environ) == Path("~/spool").expanduser()
    assert settings.max_bytes(environ) == 1048576
    assert settings.shutdown_seconds(environ) == 0.5


@pytest.mark.parametrize(
    ("read", "name", "value"),
    [
        (settings.spool_enabled, "AGENTCOST_SPOOL", "maybe"),
        (settings.max_bytes, "AGENTCOST_SPOOL_MAX_BYTES", "1GB"),
        (settings.max_bytes, "AGENTCOST_SPOOL_MAX_BYTES", "0"),
        (settings.shutdown_seconds, "AGENTCOST_SPOOL_SHUTDOWN_SECONDS", "-1"),
        (settings.shutdown_seconds, "AGENTCOST_SPOOL_SHUTDOWN_SECONDS", "soon"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(read, name, value):
    with pytest.raises(ValueError, match=f"{name}='{value}'"):
        read({name: value})
