-- Cost by provider: LLM calls, tokens and cost per provider in the window, costliest first.
--
-- Reads agentcost_selected_calls (one row per call, every instrumentation's attribute names: gen_ai.provider.name, else
-- gen_ai.system; cost from the span or the price table). Calls that name no provider are shown as 'untagged'.
-- Standard parameters: {from}, {to} (the window, on the call's start time), {service}, {agent} (agent name or role)
-- and {model} ('*' = all).
-- Columns: provider, calls, input_tokens (including cached input), output_tokens, cache_read_tokens, cost_usd,
-- unpriced_calls (calls no price was found for: cost 0), cost_share (of the window's total cost).
SELECT
    if(provider != '', provider, 'untagged') AS provider,
    calls,
    input_tokens,
    output_tokens,
    cache_read_tokens,
    cost_usd,
    unpriced_calls,
    if(sum(cost_usd) OVER () > 0, cost_usd / sum(cost_usd) OVER (), 0) AS cost_share
FROM (
    SELECT
        provider,
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
    GROUP BY provider
)
ORDER BY cost_usd DESC, calls DESC, provider
