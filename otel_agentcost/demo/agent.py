"""A simulated agent: runs one SessionPlan as a script for the scheduler, through the real context layer.

Everything an instrumented agent would do happens here for real: session, task, trigger and heartbeat scopes,
outcomes, and SDK calls whose requests carry the conversation as the plan says. Only the time is simulated: the
script yields the simulated time of its next step (see `scheduler`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

import otel_agentcost as agentcost
from otel_agentcost.demo.backends import Backends, Message
from otel_agentcost.demo.plan import Call, SessionPlan, Unit


class Gateway:
    """The messages every session sent, shared by the fleet like a connection pool shared by workflows: a
    request that borrows from another session takes what that session had sent before the request's time."""

    def __init__(self) -> None:
        self._sent: dict[str, list[tuple[datetime, Message]]] = {}
        self._lock = threading.Lock()

    def record(self, session_id: str, at: datetime, messages: list[Message]) -> None:
        with self._lock:
            self._sent.setdefault(session_id, []).extend((at, message) for message in messages)

    def sent_before(self, session_id: str, at: datetime) -> list[Message]:
        with self._lock:
            return [message for sent_at, message in self._sent.get(session_id, []) if sent_at < at]


class SimulatedAgent:
    def __init__(self, plan: SessionPlan, backends: Backends, gateway: Gateway) -> None:
        self.plan = plan
        self._backends = backends
        self._gateway = gateway
        self._conversation: list[Message] = []

    def script(self) -> Iterator[datetime]:
        plan = self.plan
        with agentcost.session(plan.session_id, agent=plan.agent, role=plan.role) as session:
            for item in plan.items:
                if isinstance(item, Unit):
                    yield from self._unit(item)
                else:
                    yield item.at
                    self._call(item)
            if plan.outcome is not None and plan.ends_at is not None:
                yield plan.ends_at
                session.outcome(plan.outcome.outcome, grade=plan.outcome.grade, reason=plan.outcome.reason)

    def _unit(self, unit: Unit) -> Iterator[datetime]:
        if not self.plan.carry_context:
            self._conversation = []
        yield unit.starts_at
        with agentcost.task(unit.task_id, kind=unit.kind, lane=unit.lane) as task:
            for index, call in enumerate(unit.calls):
                if index:
                    yield call.at
                self._call(call)
            yield unit.ends_at
            task.outcome(unit.outcome.outcome, grade=unit.outcome.grade, reason=unit.outcome.reason)

    def _call(self, call: Call) -> None:
        prompt = {"role": "user", "content": call.prompt}
        messages = [prompt] if call.standalone else [*self._borrowed(call), *self._conversation, prompt]
        trigger: AbstractContextManager[object] = agentcost.trigger(call.trigger) if call.trigger else nullcontext()
        with trigger:
            text = self._backends.here().ask(call.provider, call.model, messages, call.scripted_reply(), call.stream)
        if not call.standalone:
            exchange = [prompt, {"role": "assistant", "content": text}]
            self._conversation.extend(exchange)
            self._gateway.record(self.plan.session_id, call.at, exchange)

    def _borrowed(self, call: Call) -> list[Message]:
        return self._gateway.sent_before(call.borrow_from, call.at) if call.borrow_from else []
