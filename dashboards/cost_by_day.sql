-- Cost by day: LLM calls, tokens and cost per UTC day, oldest first.
--
-- Reads agentcost_selected_calls (one row per call, every instrumentation's attribute names; cost from the span or the
-- price table); a call counts on the UTC day it started. Days without calls between the first and the last day
-- with calls have a row of zeros, so that a line chart does not draw across a gap; no rows outside that span.
-- Standard parameters: {from}, {to} (the window, on the call's start time), {service}, {agent} (agent name or role)
-- and {model} ('*' = all).
-- Columns: day, calls, input_tokens (including cached input), output_tokens, cache_read_tokens, cost_usd,
-- unpriced_calls (calls no price was found for: cost 0).
SELECT
    toDate(start_time, 'UTC') AS day,
    count() AS calls,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cache_read_tokens) AS cache_read_tokens,
    sum(cost_usd) AS cost_usd,
    countIf(NOT priced) AS unpriced_calls
FROM agentcost_selected_calls(
    from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
    service = {service:String}, agent = {agent:String}, model = {model:String}
)
GROUP BY day
ORDER BY day WITH FILL
