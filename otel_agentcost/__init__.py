"""otel-agentcost."""
