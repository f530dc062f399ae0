"""`agentcost.init()`, each case in a fresh interpreter: a process sets its tracer provider once."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, check=False
    )


def test_init_is_idempotent_and_adds_to_an_existing_provider():
    result = run_python(
        """
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        import otel_agentcost as agentcost

        mine = TracerProvider()
        trace.set_tracer_provider(mine)
        exporter = InMemorySpanExporter()
        first = agentcost.init(service_name="svc", exporter=exporter)
        second = agentcost.init(service_name="other")
        assert first is second is mine, (first, second, mine)
        with agentcost.session("s-1"):
            trace.get_tracer("x").start_span("step").end()
        mine.force_flush()
        (span,) = exporter.get_finished_spans()
        assert span.attributes["agentcost.session.id"] == "s-1"
        print("ok")
        """
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_init_builds_a_provider_with_the_service_name_and_spooled_otlp_by_default(tmp_path):
    result = run_python(
        f"""
        import os
        os.environ["AGENTCOST_SPOOL_DIR"] = {str(tmp_path)!r}
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from otel_agentcost.spool import SpoolingSpanExporter
        import otel_agentcost as agentcost

        provider = agentcost.init(service_name="pm-agent")
        assert provider.resource.attributes["service.name"] == "pm-agent"
        (exporter,) = [p.span_exporter for p in provider._active_span_processor._span_processors
                       if hasattr(p, "span_exporter")]
        assert isinstance(exporter, SpoolingSpanExporter) and isinstance(exporter.exporter, OTLPSpanExporter)
        assert str(exporter.directory) == {str(tmp_path)!r}
        print("ok")
        """
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_with_the_spool_off_init_uses_the_store_exporter_as_is(tmp_path):
    result = run_python(
        f"""
        import os
        os.environ["AGENTCOST_SPOOL"] = "off"
        from otel_agentcost.store.exporter import ClickHouseSpanExporter
        from otel_agentcost.spool import SpoolingSpanExporter
        import otel_agentcost as agentcost

        provider = agentcost.init(store="chdb:{tmp_path}/store")
        (exporter,) = [p.span_exporter for p in provider._active_span_processor._span_processors
                       if hasattr(p, "span_exporter")]
        assert isinstance(exporter, ClickHouseSpanExporter), exporter
        print("ok")
        """
    )
    assert result.stdout.strip() == "ok", result.stderr
