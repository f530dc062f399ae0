"""The Store over a clickhouse-connect client: the same code for a ClickHouse server (HTTP) and for chDB.

clickhouse-connect drives both engines (its `interface="chdb"` runs the embedded engine in-process), so both
backends share one implementation: rows decode from ClickHouse's Native format into the same Python types, span
inserts travel as Arrow tables (store/arrow.py; Native blocks when pyarrow is not installed), other inserts as Native
blocks, and `{name:Type}` parameters are bound by the engine itself (sent as `param_<name>`), never formatted into
the SQL text.

The client starts without a default database because a database that does not exist yet cannot be selected (the
server refuses every request naming it, even `CREATE DATABASE`). It is selected as soon as it exists, so a store
opened before `db init`, or before the collector created the database, starts working once it does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError

from otel_agentcost.store.arrow import AVAILABLE as arrow_available
from otel_agentcost.store.arrow import block_table
from otel_agentcost.store.block import SpanBlock
from otel_agentcost.store.columns import INSERT_COLUMNS, INSERT_TYPES, SpanRow
from otel_agentcost.store.errors import QueryError, SchemaMissingError, StoreUnavailableError
from otel_agentcost.store.interface import Store
from otel_agentcost.store.url import StoreURL

SPANS_TABLE = "otel_traces"
_UNKNOWN_TABLE = 60
_UNKNOWN_DATABASE = 81
_PLACEHOLDER = re.compile(r"\{\s*[A-Za-z_][A-Za-z0-9_]*\s*:")
_CODE_PREFIX = re.compile(r"^.*?Code: \d+\. DB::Exception: ")
_OS_ERROR = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")
_VERSION_TRAILER = re.compile(r"\s*\(version [^)]*\)\s*$")


class ClientStore(Store):
    def __init__(
        self,
        client: Client,
        url: StoreURL,
        *,
        insert_settings: Mapping[str, Any] | None = None,
        arrow: bool = arrow_available,
    ) -> None:
        self._client = client
        self._arrow = arrow  # spans as Arrow (store/arrow.py) when pyarrow is installed, else the driver's Native
        self.url = url
        self.database = url.database
        self._insert_settings = dict(insert_settings or {})
        self._database_selected = False
        self._closed = False

    def query(self, sql: str, parameters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        bound = _bound(sql, parameters)
        self._select_database()
        with self._translated(sql):
            return list(self._client.query(sql, parameters=bound).named_results())

    def command(self, sql: str, parameters: Mapping[str, Any] | None = None) -> None:
        bound = _bound(sql, parameters)
        self._select_database()
        with self._translated(sql):
            self._client.command(sql, parameters=bound)

    def insert_spans(self, spans: SpanBlock | Sequence[SpanRow], *, dedup_token: str | None = None) -> None:
        block = spans if isinstance(spans, SpanBlock) else SpanBlock.of_rows(spans)
        if block.size:
            with self._translated(f"INSERT INTO {self.database}.{SPANS_TABLE}"):
                self._insert_block(block, dedup_token)

    def _insert_block(self, block: SpanBlock, dedup_token: str | None) -> None:
        """The insert itself, through the driver: Arrow when pyarrow is installed, else Native."""
        settings = dict(self._insert_settings)
        if dedup_token is not None:
            # Synchronous: an asynchronous insert is acknowledged from ClickHouse's buffer, before the token is
            # recorded with the data part; a caller naming its batch already batches.
            settings.update(async_insert=0, insert_deduplication_token=dedup_token)
        if self._arrow:
            table = block_table(block)
            self._client.insert_arrow(SPANS_TABLE, table, database=self.database, settings=settings or None)
            return
        self._client.insert(
            SPANS_TABLE,
            block.rows(),
            column_names=list(INSERT_COLUMNS),
            database=self.database,
            column_type_names=list(INSERT_TYPES),
            settings=settings or None,
        )

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self._translated(f"INSERT INTO {self.database}.{table}"):
            settings = dict(self._insert_settings) or None
            self._client.insert(table, rows, column_names=list(columns), database=self.database, settings=settings)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._client.close()

    def _select_database(self) -> None:
        """Make `database` the client's default as soon as it exists (see the module docstring)."""
        if self._database_selected:
            return
        with self._translated("SELECT FROM system.databases"):
            found = self._client.query(
                "SELECT count() FROM system.databases WHERE name = {name:String}", parameters={"name": self.database}
            ).result_rows[0][0]
        if found:
            self._client.database = self.database
            self._database_selected = True

    @contextmanager
    def _translated(self, sql: str) -> Iterator[None]:
        """Driver exceptions as StoreErrors whose message says what to do."""
        try:
            yield
        except ClickHouseError as error:
            code = getattr(error, "code", None)
            detail = driver_reason(error)
            if code is None and _OS_ERROR.search(str(error)):
                raise StoreUnavailableError(f"lost the connection to {self.url}: {detail}") from error
            if code == _UNKNOWN_DATABASE or (code == _UNKNOWN_TABLE and not self._database_selected):
                raise SchemaMissingError(
                    f"database '{self.database}' does not exist in {self.url}; "
                    f"create it with: otel-agentcost db init --store '{self.url}'"
                ) from error
            if code == _UNKNOWN_TABLE:
                raise SchemaMissingError(
                    f"{detail} (store {self.url}); create the schema with: otel-agentcost db init --store '{self.url}'"
                ) from error
            raise QueryError(f"ClickHouse refused {_head(sql)}: {detail}") from error


def _bound(sql: str, parameters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The parameters, only when the statement has `{name:Type}` placeholders for them.

    clickhouse-connect formats parameters into the SQL text when it finds no placeholder; that path is refused here.
    """
    if not parameters:
        return None
    if not _PLACEHOLDER.search(sql):
        raise QueryError(
            f"parameters {sorted(parameters)} were given but {_head(sql)} has no {{name:Type}} placeholder; "
            "values are only ever bound, never formatted into SQL"
        )
    return dict(parameters)


def driver_reason(error: ClickHouseError) -> str:
    """One line from a driver error: the operating system's reason for a failed connection, else ClickHouse's
    message without its `Code: n. DB::Exception:` prefix and version trailer."""
    message = str(error)
    os_error = _OS_ERROR.search(message) if getattr(error, "code", None) is None else None
    if os_error:
        return os_error.group(1).strip()
    line = next((line.strip() for line in message.splitlines() if line.strip()), message)
    return _VERSION_TRAILER.sub("", _CODE_PREFIX.sub("", line))


def _head(sql: str) -> str:
    """The start of a statement for a message, past the comment header of a .sql file."""
    text = " ".join(" ".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).split())
    return f"'{text[:80]}...'" if len(text) > 80 else f"'{text}'"
