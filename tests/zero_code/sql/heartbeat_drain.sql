-- Heartbeat drain per session with heartbeats in the window: heartbeat calls, their tokens and cost, and whether the
-- session is idle (no user-triggered call in the window).
-- Parameters: {from:DateTime64(9, 'UTC')}, {to:DateTime64(9, 'UTC')}.
SELECT
    session_id,
    countIf(trigger = 'heartbeat') AS heartbeat_calls,
    sumIf(input_tokens + output_tokens, trigger = 'heartbeat') AS heartbeat_tokens,
    sumIf(cost_usd, trigger = 'heartbeat') AS heartbeat_cost_usd,
    countIf(trigger = 'user') = 0 AS idle
FROM agentcost_llm_calls
WHERE start_time >= {from:DateTime64(9, 'UTC')} AND start_time < {to:DateTime64(9, 'UTC')}
GROUP BY session_id
HAVING heartbeat_calls > 0
ORDER BY session_id
