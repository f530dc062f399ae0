-- agentcost_call_keys: how many spans each LLM call has, by kind, per day it may have started on; filled at insert
-- time by call_keys_mv.sql (and by `db init` from the spans stored before, call_keys_backfill.sql). The rollups
-- (agentcost_units, agentcost_session_calls) add up every span they are given; this ledger is what tells the views
-- which calls have more than one span (seen by two instrumentations, or stored twice), so that those calls alone are
-- counted again exactly from otel_traces. An AggregatingMergeTree: merges add the counts of a call up, and FINAL adds
-- up what is not merged yet; the day leads the key so that FINAL only merges the days that received spans lately.
--
-- A call's spans start within its duration: each span is counted under every day from its start to its end (at most
-- 32 days), so all spans of one call meet under the day the last of them started on.
-- counts packs six 21-bit counters (UInt128, so that a sum cannot overflow into the next before 2^21 spans):
-- bits 0-20 spans, 21-41 spans with agentcost.* attributes, 42-62 spans in a work unit (a task or a session),
-- 63-83 those with agentcost.* attributes, 84-104 spans with a session, 105-125 those with agentcost.* attributes.
-- Columns: day (of the span's start or a later day it lasted into), call_key (agentcost_call_key), counts.
-- Parameters: {database:Identifier}; {ttl_days:UInt32} when the keys_ttl clause is present.
-- Fragments: on_cluster, aggregating_engine (AggregatingMergeTree(), or its Replicated form on a cluster), keys_ttl.
CREATE TABLE IF NOT EXISTS {database:Identifier}.agentcost_call_keys {{ on_cluster }} (
    day Date,
    call_key UInt128,
    counts SimpleAggregateFunction(sum, UInt128)
) ENGINE = {{ aggregating_engine }}
PARTITION BY toYYYYMM(day)
ORDER BY (day, call_key)
{{ keys_ttl }}
