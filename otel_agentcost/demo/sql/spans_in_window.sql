-- The number of spans stored in the time window [from, to): the demo refuses to write its simulated days into a
-- store that already holds spans there, since its reports would then mix the two.
-- Parameters: {from:DateTime64(9, 'UTC')}, {to:DateTime64(9, 'UTC')}.
SELECT count() AS spans
FROM otel_traces
WHERE Timestamp >= {from:DateTime64(9, 'UTC')} AND Timestamp < {to:DateTime64(9, 'UTC')}
