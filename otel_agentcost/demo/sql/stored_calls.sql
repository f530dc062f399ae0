-- The LLM calls stored in the time window [from, to), and how many of them have a price: after its run the demo
-- checks that every call it made arrived, at its simulated time, and was priced.
-- Parameters: {from:DateTime64(9, 'UTC')}, {to:DateTime64(9, 'UTC')}.
SELECT count() AS calls, countIf(priced) AS priced_calls
FROM agentcost_llm_calls
WHERE start_time >= {from:DateTime64(9, 'UTC')} AND start_time < {to:DateTime64(9, 'UTC')}
