"""The Store: the one way this project reads and writes ClickHouse, whichever engine holds the data.

Writers (the in-process exporter, the OTLP receiver) need only `insert_spans`; readers (reports, the web page,
`db init`) need `query` and `command`. Statements use ClickHouse's own `{name:Type}` placeholders and values always
travel as bound parameters, never inside the SQL text. Unqualified table names resolve in `database`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from otel_agentcost.store.block import SpanBlock
from otel_agentcost.store.columns import SpanRow
from otel_agentcost.store.url import StoreURL


class Store(ABC):
    """An open store. Thread-safe: the receiver inserts from its writer thread while the web page queries.

    Errors are `otel_agentcost.store.errors.StoreError`s with a message fit for a user: `SchemaMissingError` when
    the database or a table does not exist yet, `QueryError` when ClickHouse refuses a statement.
    """

    url: StoreURL
    database: str

    @abstractmethod
    def query(self, sql: str, parameters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts of typed Python values (int, float, str, bool, Decimal, date, UTC-aware datetime, list,
        dict, None); DateTime64 values lose digits below the microsecond (select toUnixTimestamp64Nano() for ns)."""

    @abstractmethod
    def command(self, sql: str, parameters: Mapping[str, Any] | None = None) -> None:
        """Run a statement that returns no rows (DDL, INSERT ... SELECT, TRUNCATE)."""

    @abstractmethod
    def insert_spans(self, spans: SpanBlock | Sequence[SpanRow], *, dedup_token: str | None = None) -> None:
        """Insert spans into `otel_traces` as one block in a columnar format the engine reads (Arrow, or Native).

        `dedup_token` names the batch: ClickHouse drops a later insert with the same token (within the table's
        deduplication window), so a batch retried after a crash between its insert and its caller noting it
        stored is stored once (the receiver's journal replays with it)."""

    @abstractmethod
    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows of Python values into `table` of this database as one batch (small tables such as prices)."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection (for chDB: the directory, so another process may open it). Idempotent."""

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
