"""A disk that refuses the spool's writes (a real EFBIG: the process's file size limit, RLIMIT_FSIZE, with SIGXFSZ
ignored as a long-running agent would; the limit bounds each file, so small batches still fit): the spans that do
not fit are dropped, counted and logged once, and the agent goes on without an exception."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from spool_support import free_port

AGENT = textwrap.dedent(
    """
    import json, resource, signal, sys
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from spool_support import make_spans
    from otel_agentcost.spool import SpoolingSpanExporter

    spool = SpoolingSpanExporter(OTLPSpanExporter(endpoint=sys.argv[2], timeout=0.5), directory=sys.argv[1],
                                 initial_backoff=0.01, max_backoff=0.05)
    batches = [make_spans(2 if n % 2 else 10, f"b{n}") for n in range(40)]  # segments of about 230 and 1030 bytes
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600))
    results = {str(spool.export(batch)) for batch in batches}
    spool.shutdown()
    print(json.dumps({"results": sorted(results), "spooled": spool.spooled_spans, "dropped": spool.dropped_by_reason}))
    """
)


def test_a_disk_that_refuses_writes_drops_and_counts_without_raising(tmp_path):
    nobody = f"http://127.0.0.1:{free_port()}/v1/traces"  # nothing listens: every delivery fails
    result = subprocess.run(
        [sys.executable, "-c", AGENT, str(tmp_path / "spool"), nobody],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["results"] == ["SpanExportResult.SUCCESS"]
    dropped = report["dropped"]["disk_error"]
    assert set(report["dropped"]) == {"disk_error"} and dropped > 0
    assert report["spooled"] == 20 * 2 and dropped == 20 * 10
    lines = result.stderr.splitlines()
    starting = [line for line in lines if "dropping spans" in line]
    assert len(starting) == 1 and "File too large" in starting[0]
    assert any(f"dropped {dropped} span(s) in this process" in line for line in lines)
    assert not list((tmp_path / "spool").glob(".*.tmp"))  # the partial write was removed
