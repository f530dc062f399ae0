"""Span attribute names: the interface between the instrumentation, the stored spans and the dashboards.

The GenAI names come from the OpenTelemetry semantic conventions package so that a rename there is seen here;
the `agentcost.*` names are this project's own contract (see the README's attribute table). Values stored under
these names are read by the SQL in `dashboards/`, so renaming one is a breaking change.
"""

from __future__ import annotations

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as _gen_ai
from opentelemetry.semconv.attributes import error_attributes as _error
from opentelemetry.semconv.attributes import server_attributes as _server

# --- OpenTelemetry GenAI semantic conventions -------------------------------------------------------------------
GEN_AI_OPERATION_NAME = _gen_ai.GEN_AI_OPERATION_NAME
GEN_AI_PROVIDER_NAME = _gen_ai.GEN_AI_PROVIDER_NAME
GEN_AI_REQUEST_MODEL = _gen_ai.GEN_AI_REQUEST_MODEL
GEN_AI_RESPONSE_MODEL = _gen_ai.GEN_AI_RESPONSE_MODEL
GEN_AI_RESPONSE_ID = _gen_ai.GEN_AI_RESPONSE_ID
GEN_AI_RESPONSE_FINISH_REASONS = _gen_ai.GEN_AI_RESPONSE_FINISH_REASONS
GEN_AI_REQUEST_STREAM = "gen_ai.request.stream"
GEN_AI_USAGE_INPUT_TOKENS = _gen_ai.GEN_AI_USAGE_INPUT_TOKENS
GEN_AI_USAGE_OUTPUT_TOKENS = _gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS
GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = _gen_ai.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS
GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = _gen_ai.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS
GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = _gen_ai.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS
GEN_AI_CONVERSATION_ID = _gen_ai.GEN_AI_CONVERSATION_ID
GEN_AI_AGENT_NAME = _gen_ai.GEN_AI_AGENT_NAME
SERVER_ADDRESS = _server.SERVER_ADDRESS
SERVER_PORT = _server.SERVER_PORT
ERROR_TYPE = _error.ERROR_TYPE

# The name the Anthropic SDK's own spans use for cache writes; readers accept both.
GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = "gen_ai.usage.cache_write.input_tokens"

# --- agentcost.* ------------------------------------------------------------------------------------------------
SESSION_ID = "agentcost.session.id"
TASK_ID = "agentcost.task.id"
TASK_KIND = "agentcost.task.kind"
TRIGGER = "agentcost.trigger"
LANE = "agentcost.lane"
AGENT_ROLE = "agentcost.agent.role"
OUTCOME = "agentcost.outcome"
GRADE = "agentcost.grade"
OUTCOME_REASON = "agentcost.outcome.reason"
COST_USD = "agentcost.cost.usd"
COST_SOURCE = "agentcost.cost.source"
CONTEXT_INHERITED_TOKENS = "agentcost.context.inherited_tokens"
CONTEXT_FOREIGN_TOKENS = "agentcost.context.foreign_tokens"
# The request's size in characters, and the messages the call brought into its session as `<16 hex>:<chars>,...`
# (fingerprints, never content), so that SQL over every process's spans can find cross-session bleed.
CONTEXT_CHARS = "agentcost.context.chars"
CONTEXT_INTRODUCED = "agentcost.context.introduced"
USAGE_ESTIMATED = "agentcost.usage.estimated"

# Values of COST_SOURCE. Only a "price_table" cost is recomputed by the dashboards from the stored price table;
# "provider" and "user" costs are authoritative; "unpriced" marks a model the price table does not know.
COST_FROM_PROVIDER = "provider"
COST_FROM_USER = "user"
COST_FROM_PRICE_TABLE = "price_table"
COST_UNPRICED = "unpriced"

TRIGGERS = frozenset({"user", "heartbeat", "schedule", "reactive"})
OUTCOMES = frozenset({"success", "noop", "blocked", "failed", "abandoned"})
