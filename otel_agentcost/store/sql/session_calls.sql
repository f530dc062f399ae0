-- agentcost_session_calls: the LLM call spans of each session, totalled per service, agent, role, model and whether
-- they are heartbeats (agentcost.trigger = 'heartbeat'), over all time, with the start times of the heartbeats:
-- maintained at insert time by session_calls_mv.sql (and by `db init` from the spans stored before), so that
-- agentcost_session_groups reads a few rows per session instead of every call. Calls without a session have rows of
-- session '' (per service and agent). An AggregatingMergeTree of SimpleAggregateFunction columns.
--
-- As in agentcost_units, every span counts (agentcost_call_keys says which calls have more than one), and the cost is
-- kept as the parts the price table applies to: table_calls (calls priced from agentcost_prices when their model has a
-- price), their uncached input, cache reads, cache writes and output tokens, fallback_calls and fallback_usd (their
-- own price_table cost, kept when the model has no price), span_usd (the authoritative cost of the other calls).
-- Columns: session_id, service (ServiceName), agent, role, model, heartbeat (the key), first_call_at, last_call_at,
-- calls, input_tokens, output_tokens, table_calls, table_uncached_input_tokens, table_cache_read_tokens,
-- table_cache_write_tokens, table_output_tokens, fallback_calls, fallback_usd, span_usd, beat_starts (start times of
-- the heartbeat calls, in no order).
-- Parameters: {database:Identifier}; {ttl_days:UInt32} when the sessions_ttl clause is present.
-- Fragments: on_cluster, aggregating_engine, sessions_ttl.
CREATE TABLE IF NOT EXISTS {database:Identifier}.agentcost_session_calls {{ on_cluster }} (
    session_id String,
    service LowCardinality(String),
    agent LowCardinality(String),
    role LowCardinality(String),
    model LowCardinality(String),
    heartbeat Bool,
    first_call_at SimpleAggregateFunction(min, DateTime64(9)),
    last_call_at SimpleAggregateFunction(max, DateTime64(9)),
    calls SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    table_calls SimpleAggregateFunction(sum, UInt64),
    table_uncached_input_tokens SimpleAggregateFunction(sum, UInt64),
    table_cache_read_tokens SimpleAggregateFunction(sum, UInt64),
    table_cache_write_tokens SimpleAggregateFunction(sum, UInt64),
    table_output_tokens SimpleAggregateFunction(sum, UInt64),
    fallback_calls SimpleAggregateFunction(sum, UInt64),
    fallback_usd SimpleAggregateFunction(sum, Float64),
    span_usd SimpleAggregateFunction(sum, Float64),
    beat_starts SimpleAggregateFunction(groupArrayArray, Array(DateTime64(9)))
) ENGINE = {{ aggregating_engine }}
ORDER BY (session_id, service, agent, role, model, heartbeat)
{{ sessions_ttl }}
