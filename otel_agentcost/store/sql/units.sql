-- agentcost_units: the totals of every work unit (a task, or a session for the calls that carry no task; see
-- work_units.sql), over all its LLM call spans, and its outcome, maintained at insert time by units_calls_mv.sql and
-- units_outcomes_mv.sql (and by `db init` from the spans stored before): what makes agentcost_work_units read one row
-- per unit instead of every call. An AggregatingMergeTree of SimpleAggregateFunction columns: merges combine a unit's
-- rows, FINAL combines what is not merged yet.
--
-- Every span counts here, so a call with two spans in the unit counts twice; agentcost_call_keys tells
-- agentcost_work_units which units hold such calls, and it counts those units again from otel_traces.
-- Costs are kept as the parts the price table applies to, per model, so that a price change applies to old spans:
-- models = sumMap of (model, calls, table_calls (calls priced from agentcost_prices when their model has a price),
-- their uncached input (input - cache reads - cache writes, at least 0), cache reads, cache writes and output tokens,
-- fallback_calls (table_calls with a price_table cost of their own, kept when the model has no price), fallback_usd
-- (that cost), span_usd (the cost of the other calls, authoritative: agentcost.cost.usd of any other source)).
-- The first non-empty session, task kind, service, role, lane and agent are min((start of the call, value)); calls
-- without one give (2262-04-11, ''), so they never come first. outcome = max((end, SpanId, outcome, grade, reason))
-- over the unit's outcome spans: the latest wins whole; a unit without one has (1970-01-01, '', '', NULL, '').
-- A row from an outcome span alone has calls = 0 and first_call_at = 2262-04-11.
-- Columns: unit_kind, unit_id, first_call_at, last_call_at, last_seen_at (latest span, calls or outcomes: the TTL's),
-- calls, heartbeat_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
-- inherited_tokens, foreign_tokens, models, session_id, task_kind, service, role, lane, agent, outcome.
-- Parameters: {database:Identifier}; {ttl_days:UInt32} when the units_ttl clause is present.
-- Fragments: on_cluster, aggregating_engine, units_ttl.
CREATE TABLE IF NOT EXISTS {database:Identifier}.agentcost_units {{ on_cluster }} (
    unit_kind LowCardinality(String),
    unit_id String,
    first_call_at SimpleAggregateFunction(min, DateTime64(9)) DEFAULT CAST('2262-04-11 00:00:00' AS DateTime64(9)),
    last_call_at SimpleAggregateFunction(max, DateTime64(9)),
    last_seen_at SimpleAggregateFunction(max, DateTime64(9)),
    calls SimpleAggregateFunction(sum, UInt64),
    heartbeat_calls SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    cache_read_tokens SimpleAggregateFunction(sum, UInt64),
    cache_write_tokens SimpleAggregateFunction(sum, UInt64),
    reasoning_tokens SimpleAggregateFunction(sum, UInt64),
    inherited_tokens SimpleAggregateFunction(sum, UInt64),
    foreign_tokens SimpleAggregateFunction(sum, UInt64),
    models SimpleAggregateFunction(sumMap, Tuple(
        Array(String), Array(UInt64), Array(UInt64), Array(UInt64), Array(UInt64), Array(UInt64), Array(UInt64),
        Array(UInt64), Array(Float64), Array(Float64)
    )),
    session_id SimpleAggregateFunction(min, Tuple(DateTime64(9), String))
        DEFAULT (CAST('2262-04-11 00:00:00' AS DateTime64(9)), ''),
    task_kind SimpleAggregateFunction(min, Tuple(DateTime64(9), String))
        DEFAULT (CAST('2262-04-11 00:00:00' AS DateTime64(9)), ''),
    service SimpleAggregateFunction(min, Tuple(DateTime64(9), String))
        DEFAULT (CAST('2262-04-11 00:00:00' AS DateTime64(9)), ''),
    role SimpleAggregateFunction(min, Tuple(DateTime64(9), String))
        DEFAULT (CAST('2262-04-11 00:00:00' AS DateTime64(9)), ''),
    lane SimpleAggregateFunction(min, Tuple(DateTime64(9), String))
        DEFAULT (CAST('2262-04-11 00:00:00' AS DateTime64(9)), ''),
    agent SimpleAggregateFunction(min, Tuple(DateTime64(9), String))
        DEFAULT (CAST('2262-04-11 00:00:00' AS DateTime64(9)), ''),
    outcome SimpleAggregateFunction(max, Tuple(DateTime64(9), String, String, Nullable(Float64), String))
) ENGINE = {{ aggregating_engine }}
ORDER BY (unit_kind, unit_id)
{{ units_ttl }}
