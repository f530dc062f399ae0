"""db init: the collector's otel_traces, the price table and the views; idempotent, upgrading, collector-friendly."""

from __future__ import annotations

import pytest

from otel_agentcost.pricing import PriceTable
from otel_agentcost.store.identifiers import IdentifierError
from otel_agentcost.store.schema import (
    ROLLUPS,
    SCHEMA_VERSION,
    init_schema,
    installed_version,
    materialize_columns,
    schema_statements,
)

# otel_traces as the OpenTelemetry Collector contrib `clickhouse` exporter declares it: (column, type, codec).
COLLECTOR_COLUMNS = [
    ("Timestamp", "DateTime64(9)", "CODEC(Delta(8), ZSTD(1))"),
    ("TraceId", "String", "CODEC(ZSTD(1))"),
    ("SpanId", "String", "CODEC(ZSTD(1))"),
    ("ParentSpanId", "String", "CODEC(ZSTD(1))"),
    ("TraceState", "String", "CODEC(ZSTD(1))"),
    ("SpanName", "LowCardinality(String)", "CODEC(ZSTD(1))"),
    ("SpanKind", "LowCardinality(String)", "CODEC(ZSTD(1))"),
    ("ServiceName", "LowCardinality(String)", "CODEC(ZSTD(1))"),
    ("ResourceAttributes", "Map(LowCardinality(String), String)", "CODEC(ZSTD(1))"),
    ("ScopeName", "String", "CODEC(ZSTD(1))"),
    ("ScopeVersion", "String", "CODEC(ZSTD(1))"),
    ("SpanAttributes", "Map(LowCardinality(String), String)", "CODEC(ZSTD(1))"),
    ("Duration", "UInt64", "CODEC(ZSTD(1))"),
    ("StatusCode", "LowCardinality(String)", "CODEC(ZSTD(1))"),
    ("StatusMessage", "String", "CODEC(ZSTD(1))"),
    ("Events.Timestamp", "Array(DateTime64(9))", "CODEC(ZSTD(1))"),
    ("Events.Name", "Array(LowCardinality(String))", "CODEC(ZSTD(1))"),
    ("Events.Attributes", "Array(Map(LowCardinality(String), String))", "CODEC(ZSTD(1))"),
    ("Links.TraceId", "Array(String)", "CODEC(ZSTD(1))"),
    ("Links.SpanId", "Array(String)", "CODEC(ZSTD(1))"),
    ("Links.TraceState", "Array(String)", "CODEC(ZSTD(1))"),
    ("Links.Attributes", "Array(Map(LowCardinality(String), String))", "CODEC(ZSTD(1))"),
]
COLLECTOR_INDEXES = [
    ("idx_trace_id", "bloom_filter", "TraceId"),
    ("idx_res_attr_key", "bloom_filter", "mapKeys(ResourceAttributes)"),
    ("idx_res_attr_value", "bloom_filter", "mapValues(ResourceAttributes)"),
    ("idx_span_attr_key", "bloom_filter", "mapKeys(SpanAttributes)"),
    ("idx_span_attr_value", "bloom_filter", "mapValues(SpanAttributes)"),
    ("idx_duration", "minmax", "Duration"),
]
# What a recent collector creates by itself before any `db init` (its newer template: other codecs, ALIAS columns,
# a primary key shorter than the sorting key).
COLLECTOR_DDL = """
CREATE TABLE {database:Identifier}.otel_traces (
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TraceId String CODEC(ZSTD(1)), SpanId String CODEC(ZSTD(1)), ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)), SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)), ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)), ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(T64, ZSTD(1)), StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested (Timestamp DateTime64(9), Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    Links Nested (TraceId String, SpanId String, TraceState String,
        Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    ResourceAttributeItems Array(String) ALIAS
        arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(ResourceAttributes, 'Array(Tuple(String, String))')),
    SpanAttributeItems Array(String) ALIAS
        arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(SpanAttributes, 'Array(Tuple(String, String))')),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1,
    INDEX idx_lower_span_name lower(SpanName) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
) ENGINE = MergeTree()
PARTITION BY toDate(Timestamp)
PRIMARY KEY (ServiceName, SpanName, toDateTime(Timestamp))
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp), Timestamp)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
"""
OBJECTS = ("otel_traces", "agentcost_schema", "agentcost_prices", "agentcost_llm_calls", "agentcost_outcomes")
ROLLUP_VIEWS = (
    "agentcost_call_keys_mv",
    "agentcost_units_calls_mv",
    "agentcost_units_outcomes_mv",
    "agentcost_session_calls_mv",
)


@pytest.fixture(scope="module")
def initialized(store):
    assert installed_version(store) is None
    result = init_schema(store)
    assert result.previous_version is None
    return result


def without_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.startswith("--"))


def snapshot(store) -> dict:
    definitions = {
        name: store.query(
            "SHOW CREATE TABLE {database:Identifier}.{name:Identifier}", {"database": store.database, "name": name}
        )
        for name in (*OBJECTS, *ROLLUPS, *ROLLUP_VIEWS, "agentcost_llm_calls_in", "agentcost_work_units")
    }
    counts = store.query(
        "SELECT (SELECT count() FROM agentcost_prices) AS prices, (SELECT count() FROM agentcost_schema) AS versions, "
        "(SELECT sum(calls) FROM agentcost_units) AS unit_calls, (SELECT count() FROM agentcost_call_keys) AS keys"
    )
    return {"definitions": definitions, "counts": counts}


def test_db_init_creates_otel_traces_with_the_collectors_columns_types_and_codecs(store, initialized):
    assert initialized.traces_created
    columns = store.query(
        "SELECT name, type, compression_codec FROM system.columns "
        "WHERE database = {database:String} AND table = 'otel_traces' AND default_kind != 'MATERIALIZED' "
        "ORDER BY position",
        {"database": store.database},
    )
    assert [(c["name"], c["type"], c["compression_codec"]) for c in columns] == [
        (name, kind, "CODEC(Delta(8), ZSTD(1))" if name == "Timestamp" else codec)
        for name, kind, codec in COLLECTOR_COLUMNS
    ]


def test_db_init_gives_otel_traces_the_collectors_indexes_partitioning_and_ordering(store, initialized):
    indexes = store.query(
        "SELECT name, type, expr FROM system.data_skipping_indices "
        "WHERE database = {database:String} AND table = 'otel_traces' ORDER BY name",
        {"database": store.database},
    )
    assert sorted((i["name"], i["type"], i["expr"]) for i in indexes) == sorted(COLLECTOR_INDEXES)
    (table,) = store.query(
        "SELECT engine, partition_key, sorting_key FROM system.tables "
        "WHERE database = {database:String} AND name = 'otel_traces'",
        {"database": store.database},
    )
    assert table == {
        "engine": "MergeTree",
        "partition_key": "toDate(Timestamp)",
        "sorting_key": "ServiceName, SpanName, toDateTime(Timestamp)",
    }


def test_db_init_loads_the_price_table_and_records_its_version(store, initialized):
    bundled = PriceTable.load(None).rows()
    assert initialized.prices == len(bundled) > 0
    stored = store.query("SELECT * FROM agentcost_prices WHERE model = {model:String}", {"model": bundled[0].model})
    assert stored[0]["input_per_mtok"] == bundled[0].input_per_mtok
    assert installed_version(store) == SCHEMA_VERSION


def test_db_init_twice_changes_nothing(store, initialized):
    store.command(COLLECTOR_INSERT)  # spans in the rollups: a second init must not count them again
    before = snapshot(store)
    again = init_schema(store)
    assert not again.traces_created
    assert again.previous_version == SCHEMA_VERSION
    assert snapshot(store) == before


def test_db_init_refills_the_price_table_from_the_given_prices(store, initialized, tmp_path):
    prices = tmp_path / "prices.csv"
    prices.write_text("model,input_per_mtok,output_per_mtok\ngpt-4o,1.00,2.00\nin-house-7b,0.05,0.10\n")
    init_schema(store, prices=PriceTable.load(prices))
    query = (
        "SELECT model, input_per_mtok, output_per_mtok FROM agentcost_prices WHERE model IN ('gpt-4o', 'in-house-7b')"
    )
    assert sorted(map(tuple, (row.values() for row in store.query(query)))) == [
        ("gpt-4o", 1.0, 2.0),
        ("in-house-7b", 0.05, 0.1),
    ]
    init_schema(store)
    assert [row["model"] for row in store.query(query)] == ["gpt-4o"]


def test_db_init_upgrades_an_older_install(store, initialized):
    store.command("CREATE OR REPLACE VIEW agentcost_llm_calls AS SELECT TraceId, SpanId FROM otel_traces")
    store.command("TRUNCATE TABLE agentcost_schema")
    store.command("INSERT INTO agentcost_schema (version, package_version) VALUES (0, '0.0.1')")
    assert init_schema(store).previous_version == 0
    columns = store.query("DESCRIBE TABLE agentcost_llm_calls")
    assert {"session_id", "cost_usd", "priced"} <= {column["name"] for column in columns}
    assert [row["version"] for row in store.query("SELECT version FROM agentcost_schema ORDER BY version")] == [
        0,
        SCHEMA_VERSION,
    ]


def collector_schema(store) -> dict:
    """otel_traces as the collector sees it: its own columns, keys and indexes (not the materialized columns)."""
    database = {"database": store.database}
    return {
        "columns": store.query(
            "SELECT name, type, default_kind, default_expression, compression_codec FROM system.columns "
            "WHERE database = {database:String} AND table = 'otel_traces' AND default_kind != 'MATERIALIZED' "
            "ORDER BY position",
            database,
        ),
        "table": store.query(
            "SELECT engine, partition_key, sorting_key, primary_key FROM system.tables "
            "WHERE database = {database:String} AND name = 'otel_traces'",
            database,
        ),
        "indexes": store.query(
            "SELECT name, expr FROM system.data_skipping_indices "
            "WHERE database = {database:String} AND table = 'otel_traces' ORDER BY name",
            database,
        ),
    }


def typed(store) -> list[dict]:
    return store.query(
        "SELECT agentcost_llm_call, agentcost_session_id, agentcost_provider, agentcost_input_tokens, "
        "agentcost_output_tokens, agentcost_cache_write_tokens, agentcost_outcome, agentcost_grade "
        "FROM otel_traces ORDER BY SpanId"
    )


COLLECTOR_INSERT = (
    "INSERT INTO otel_traces (Timestamp, TraceId, SpanId, SpanName, SpanAttributes) VALUES "
    "(now64(9), 'a1', 'b1', 'chat', map('gen_ai.usage.input_tokens', '7', 'gen_ai.request.model', 'gpt-4o', "
    "'agentcost.session.id', 's-1', 'gen_ai.provider.name', 'openai', "
    "'gen_ai.usage.cache_creation.input_tokens', '2')), "
    "(now64(9), 'a1', 'b2', 'chat', map('gen_ai.usage.prompt_tokens', '5', 'gen_ai.usage.completion_tokens', '3', "
    "'session.id', 's-2', 'gen_ai.system', 'anthropic', 'gen_ai.usage.cache_write.input_tokens', '4')), "
    "(now64(9), 'a1', 'b3', 'task', map('agentcost.outcome', 'blocked', 'agentcost.grade', '0.25', "
    "'gen_ai.conversation.id', 's-3'))"
)
TYPED = [
    {
        "agentcost_llm_call": True,
        "agentcost_session_id": "s-1",
        "agentcost_provider": "openai",
        "agentcost_input_tokens": 7,
        "agentcost_output_tokens": 0,
        "agentcost_cache_write_tokens": 2,
        "agentcost_outcome": "",
        "agentcost_grade": None,
    },
    {
        "agentcost_llm_call": True,
        "agentcost_session_id": "s-2",
        "agentcost_provider": "anthropic",
        "agentcost_input_tokens": 5,
        "agentcost_output_tokens": 3,
        "agentcost_cache_write_tokens": 4,
        "agentcost_outcome": "",
        "agentcost_grade": None,
    },
    {
        "agentcost_llm_call": False,
        "agentcost_session_id": "s-3",
        "agentcost_provider": "",
        "agentcost_input_tokens": 0,
        "agentcost_output_tokens": 0,
        "agentcost_cache_write_tokens": 0,
        "agentcost_outcome": "blocked",
        "agentcost_grade": 0.25,
    },
]


def test_the_collectors_inserts_fill_the_typed_columns_in_every_instrumentations_names(other_database):
    fresh = other_database("fresh_inserts")
    init_schema(fresh)
    fresh.command(COLLECTOR_INSERT)
    assert typed(fresh) == TYPED
    (row,) = fresh.query("SELECT * FROM otel_traces LIMIT 1")
    assert [name for name in row if name.startswith("agentcost_")] == []  # SELECT * still looks like the collector's


def test_db_init_keeps_an_otel_traces_the_collector_created_first_and_adds_the_typed_columns(other_database):
    collector_first = other_database("collector_first")
    database = {"database": collector_first.database}
    collector_first.command("CREATE DATABASE {database:Identifier}", database)
    collector_first.command(COLLECTOR_DDL, database)
    collector_first.command(COLLECTOR_INSERT)  # spans stored before db init: their parts lack the typed columns
    before = collector_schema(collector_first)
    result = init_schema(collector_first)
    assert not result.traces_created
    assert collector_schema(collector_first) == before
    assert typed(collector_first) == TYPED  # computed from the maps on read
    materialize_columns(collector_first)
    assert typed(collector_first) == TYPED  # now stored
    (call,) = collector_first.query("SELECT input_tokens, model, priced FROM agentcost_llm_calls WHERE SpanId = 'b1'")
    assert call == {"input_tokens": 7, "model": "gpt-4o", "priced": True}


def test_ttl_days_adds_the_collectors_ttl_clause(other_database):
    with_ttl = other_database("with_ttl")
    init_schema(with_ttl, ttl_days=30)
    (table,) = with_ttl.query("SHOW CREATE TABLE otel_traces")
    assert "TTL toDateTime(Timestamp) + toIntervalDay(" in table["statement"]
    assert "30" in table["statement"].partition("TTL")[2]


def test_every_statement_on_a_cluster_says_on_cluster_and_uses_replicated_tables(store):
    statements = schema_statements("otel", ttl_days=7, cluster="analytics")
    for statement in statements:
        if statement.name == "schema_version_record" or statement.name.endswith("_backfill"):
            continue  # INSERTs: replication, not ON CLUSTER, carries them
        assert "ON CLUSTER analytics" in statement.sql
        sql = without_comments(statement.sql)
        assert "= MergeTree()" not in sql and "= AggregatingMergeTree()" not in sql
        (parsed,) = store.query("SELECT formatQuery({sql:String}) AS sql", {"sql": statement.sql})
        assert "ON CLUSTER analytics" in parsed["sql"]
    assert [s.name for s in statements if "ReplicatedMergeTree()" in s.sql] == [
        "otel_traces",
        "schema_versions",
        "prices",
    ]
    assert [s.name for s in statements if "ReplicatedAggregatingMergeTree()" in without_comments(s.sql)] == [
        "call_keys",
        "units",
        "session_calls",
    ]


@pytest.mark.parametrize("cluster", ["my-cluster", "c; DROP TABLE x", "`c`", ""])
def test_a_cluster_name_that_is_not_a_plain_identifier_is_refused(cluster):
    if not cluster:
        assert "ON CLUSTER" not in without_comments(schema_statements("otel", cluster=cluster)[0].sql)
        return
    with pytest.raises(IdentifierError, match="cluster name"):
        schema_statements("otel", cluster=cluster)


def test_a_ttl_of_less_than_a_day_is_refused():
    with pytest.raises(ValueError, match="at least 1 day"):
        schema_statements("otel", ttl_days=0)


def test_values_and_the_database_are_bound_never_written_into_statements():
    for statement in schema_statements("otel", ttl_days=731):  # a number no statement holds otherwise
        sql = without_comments(statement.sql)
        assert "otel" not in sql.replace("otel_traces", "")
        assert "731" not in sql
