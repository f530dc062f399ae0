"""The in-process exporter: spans straight from the SDK into the store, for an agent that is the only writer.

Selected with `OTEL_TRACES_EXPORTER=agentcost_clickhouse` (the `opentelemetry_traces_exporter` entry point, which
constructs it without arguments: the store then comes from `AGENTCOST_STORE`). A bad URL fails at construction,
so a typo shows at startup; the store itself is opened at the first export, so a process that never exports
never takes the chDB directory. On that first export the schema is created when `otel_traces` is missing.

`export` never raises into the SDK: a failure is logged and reported as FAILURE. Repeats of the same kind of failure
are logged at debug level until an export succeeds again, since a batch processor exports every few seconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from otel_agentcost.store import Store, open_store, parse_store_url
from otel_agentcost.store.block import SpanBlock
from otel_agentcost.store.schema import init_schema, table_exists
from otel_agentcost.store.spans import span_block

_log = logging.getLogger(__name__)


class ClickHouseSpanExporter(SpanExporter):
    # Each export is one insert, and much of the engine's cost is per insert (creating a part, the rollups' views,
    # merging the parts later): chDB stores 16,384-span blocks at 1.2 times the spans per second of 4,096 and several
    # times the SDK's default 512 (`bench/ingest.py --only exporter exporter-large`). The batch processor in front
    # of it (otel_agentcost.spool.processor) asks for batches this large unless OTEL_BSP_* says otherwise; a busy
    # agent fills one in seconds, a quiet one exports what it has every 5 s as before.
    preferred_batch_spans = 16384

    def __init__(self, store: str | Store | None = None) -> None:
        if isinstance(store, Store):
            self._store: Store | None = store
            self._url = store.url
        else:
            self._store = None
            self._url = parse_store_url(store)
        self._owns_store = self._store is None
        self._schema_checked = False
        self._stopped = False
        self._failing: type[Exception] | None = None
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._stopped:
            return SpanExportResult.FAILURE
        try:
            block = self.prepare(spans)
        except Exception as error:  # an exporter must not raise into the SDK
            self._report(error, len(spans))
            return SpanExportResult.FAILURE
        return self.export_prepared(block)

    def prepare(self, spans: Sequence[ReadableSpan]) -> SpanBlock:
        """The spans as the block one insert stores: the Python half of an export, which needs no store. The spool
        (otel_agentcost.spool) calls it on the batch processor's thread while its delivery thread stores the batch
        before, so that the two overlap."""
        return span_block(spans)

    def export_prepared(self, block: SpanBlock) -> SpanExportResult:
        if self._stopped:
            return SpanExportResult.FAILURE
        try:
            self._ready_store().insert_spans(block)
        except Exception as error:  # an exporter must not raise into the SDK
            self._report(error, block.size)
            return SpanExportResult.FAILURE
        self._failing = None
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            self._stopped = True
            if self._owns_store and self._store is not None:
                self._store.close()
                self._store = None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered here: every export is inserted before it returns."""
        return True

    def _ready_store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = open_store(self._url)
            if not self._schema_checked:
                if not table_exists(self._store, "otel_traces"):
                    init_schema(self._store)
                self._schema_checked = True
            return self._store

    def _report(self, error: Exception, count: int) -> None:
        level = logging.DEBUG if type(error) is self._failing else logging.ERROR
        self._failing = type(error)
        _log.log(level, "could not store %d span(s) in %s: %s", count, self._url, error)
