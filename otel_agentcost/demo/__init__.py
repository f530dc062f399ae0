"""`otel-agentcost demo`: a simulated agent fleet through the real SDKs and instrumentation, then the reports.

The fleet (`fleet`, as data in `plan`, its messages from `text`) runs on a discrete-event `scheduler` whose actors
are `agent`s calling stand-in LLM servers (`backends`) through the real openai and anthropic SDKs; `clock` and
`timeshift` put every span at its simulated time; `simulation` wires tracing and storage; `run` is the command's
whole flow. Nothing is imported here, so that the command line can load the package without a cycle (`run` calls
the command line).
"""
