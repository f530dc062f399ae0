-- Write the typed columns of otel_traces_columns.sql into the parts that were stored before they existed (a mutation
-- that rewrites those columns only, in the background), so that reads no longer compute them from the maps. Optional:
-- parts written since the columns exist already have them, and merged parts get them too.
-- Parameters: {database:Identifier}. Fragment: on_cluster.
ALTER TABLE {database:Identifier}.otel_traces {{ on_cluster }}
    MATERIALIZE COLUMN agentcost_llm_call,
    MATERIALIZE COLUMN agentcost_call_key,
    MATERIALIZE COLUMN agentcost_has_agentcost,
    MATERIALIZE COLUMN agentcost_session_id,
    MATERIALIZE COLUMN agentcost_task_id,
    MATERIALIZE COLUMN agentcost_task_kind,
    MATERIALIZE COLUMN agentcost_trigger,
    MATERIALIZE COLUMN agentcost_lane,
    MATERIALIZE COLUMN agentcost_role,
    MATERIALIZE COLUMN agentcost_agent,
    MATERIALIZE COLUMN agentcost_provider,
    MATERIALIZE COLUMN agentcost_operation,
    MATERIALIZE COLUMN agentcost_request_model,
    MATERIALIZE COLUMN agentcost_response_model,
    MATERIALIZE COLUMN agentcost_response_id,
    MATERIALIZE COLUMN agentcost_input_tokens,
    MATERIALIZE COLUMN agentcost_output_tokens,
    MATERIALIZE COLUMN agentcost_cache_read_tokens,
    MATERIALIZE COLUMN agentcost_cache_write_tokens,
    MATERIALIZE COLUMN agentcost_reasoning_tokens,
    MATERIALIZE COLUMN agentcost_inherited_tokens,
    MATERIALIZE COLUMN agentcost_foreign_tokens,
    MATERIALIZE COLUMN agentcost_usage_estimated,
    MATERIALIZE COLUMN agentcost_is_error,
    MATERIALIZE COLUMN agentcost_cost_usd,
    MATERIALIZE COLUMN agentcost_cost_source,
    MATERIALIZE COLUMN agentcost_outcome,
    MATERIALIZE COLUMN agentcost_grade,
    MATERIALIZE COLUMN agentcost_outcome_reason,
    MATERIALIZE COLUMN agentcost_context_introduced,
    MATERIALIZE COLUMN agentcost_context_chars
SETTINGS mutations_sync = 2
