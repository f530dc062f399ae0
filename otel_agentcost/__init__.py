"""otel-agentcost: where autonomous LLM agents spend their tokens, as OpenTelemetry spans and ClickHouse reports.

```python
import otel_agentcost as agentcost

agentcost.init(service_name="pm-agent")
with agentcost.session("s-42", agent="pm-1", role="pm"):
    with agentcost.task("T-7", kind="triage") as task:
        client.chat.completions.create(...)
        task.outcome("blocked", grade=0.4, reason="claim denied")
    with agentcost.heartbeat():
        client.messages.create(...)
```
"""

from __future__ import annotations

from .configure import init, shutdown
from .context import Session, Task, Trigger, heartbeat, record_outcome, session, task, trigger
from .instrumentation import AgentCostInstrumentor
from .pricing import PriceTable
from .processor import AgentCostSpanProcessor
from .version import __version__

__all__ = [
    "AgentCostInstrumentor",
    "AgentCostSpanProcessor",
    "PriceTable",
    "Session",
    "Task",
    "Trigger",
    "__version__",
    "heartbeat",
    "init",
    "record_outcome",
    "session",
    "shutdown",
    "task",
    "trigger",
]
