-- How many spans are stored, and how many of them start outside the window [from, to).
-- Parameters: {from:DateTime64(9, 'UTC')}, {to:DateTime64(9, 'UTC')}.
SELECT
    count() AS spans,
    countIf(Timestamp < {from:DateTime64(9, 'UTC')} OR Timestamp >= {to:DateTime64(9, 'UTC')}) AS outside
FROM otel_traces
