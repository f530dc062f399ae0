-- Let otel_traces of the current database merge again after bench/engine.py stopped every table's merges, so that
-- one table's merge is timed alone. No parameters.
SYSTEM START MERGES otel_traces
