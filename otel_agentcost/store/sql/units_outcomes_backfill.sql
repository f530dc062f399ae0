-- Fills agentcost_units with the outcomes otel_traces holds (after units_clear.sql emptied it); the latest outcome
-- wins, so an outcome counted twice changes nothing.
-- Parameters: {database:Identifier}. Fragment: units_outcome_rows (the text of units_outcome_rows.sql).
INSERT INTO {database:Identifier}.agentcost_units (unit_kind, unit_id, last_seen_at, outcome)
{{ units_outcome_rows }}
