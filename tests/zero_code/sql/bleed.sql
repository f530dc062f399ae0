-- Context bleed between sessions, over every process's spans: per receiving session and origin session, how many
-- messages the receiving one took from the other, their characters and their share of input tokens.
-- Parameters: none.
SELECT
    session_id,
    ServiceName AS service,
    origin_session_id,
    origin_service,
    count() AS messages,
    sum(chars) AS chars,
    sum(tokens) AS tokens
FROM agentcost_context_bleed
GROUP BY session_id, service, origin_session_id, origin_service
ORDER BY session_id, origin_session_id
