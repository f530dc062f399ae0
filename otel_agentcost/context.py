"""The context layer: which session, task, trigger and lane the code running now belongs to.

Scopes live in a `contextvars.ContextVar`, so they follow asyncio tasks and threads that copy the context
(`contextvars.copy_context().run`, `asyncio.to_thread`), and never leak from one concurrent session into another.
Each scope precomputes the attributes it stamps, so that stamping a span is one dict merge, not a walk up a chain.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar, Token
from types import MappingProxyType, TracebackType
from typing import Any, TypeVar, cast

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from . import attributes as attr
from .version import __version__

_log = logging.getLogger(__name__)

_F = TypeVar("_F", bound=Callable[..., Any])

# The attributes of the innermost scope, merged with those of the scopes around it. Read on every span start.
# The default is an immutable empty mapping, shared safely by every context.
_scope_attributes: ContextVar[Mapping[str, AttributeValue]] = ContextVar(
    "agentcost_scope", default=MappingProxyType({})
)

TRACER_NAME = "otel_agentcost"


def current_attributes() -> Mapping[str, AttributeValue]:
    """The attributes that the scopes in force stamp on a span started now (empty outside any scope)."""
    return _scope_attributes.get()


def _clean(values: Mapping[str, AttributeValue | None]) -> dict[str, AttributeValue]:
    return {key: value for key, value in values.items() if value is not None and value != ""}


def _require_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"agentcost: {name} must be a non-empty string, got {value!r}")
    return value


def _check_trigger(trigger: str | None) -> str | None:
    if trigger is not None and trigger not in attr.TRIGGERS:
        raise ValueError(f"agentcost: trigger must be one of {sorted(attr.TRIGGERS)}, got {trigger!r}")
    return trigger


class _Scope:
    """A context manager (sync and async) and decorator that puts attributes in force for the code inside it.

    Used as a decorator it enters anew on every call, so one decorated function can run in many sessions at once.
    """

    def __init__(self, attributes: Mapping[str, AttributeValue]) -> None:
        self._attributes = attributes
        self._tokens: list[Token[Mapping[str, AttributeValue]]] = []

    def __enter__(self) -> Any:
        merged = {**_scope_attributes.get(), **self._attributes}
        self._tokens.append(_scope_attributes.set(merged))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        _scope_attributes.reset(self._tokens.pop())

    async def __aenter__(self) -> Any:
        return self.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def _fresh(self) -> _Scope:
        """A scope with the same arguments, for one call of a decorated function."""
        return _Scope(self._attributes)

    def __call__(self, func: _F) -> _F:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                async with self._fresh():
                    return await func(*args, **kwargs)

            return cast(_F, async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return func(*args, **kwargs)

        return cast(_F, wrapper)


class Session(_Scope):
    """An agent session: a conversation that may live for days and hold many tasks."""

    def __init__(
        self,
        session_id: str,
        *,
        agent: str | None = None,
        role: str | None = None,
        lane: str | None = None,
        trigger: str | None = None,
    ) -> None:
        self.session_id = _require_text("session_id", session_id)
        self._args = {"agent": agent, "role": role, "lane": lane, "trigger": trigger}
        super().__init__(
            _clean(
                {
                    attr.SESSION_ID: session_id,
                    attr.GEN_AI_CONVERSATION_ID: session_id,
                    attr.GEN_AI_AGENT_NAME: agent,
                    attr.AGENT_ROLE: role,
                    attr.LANE: lane,
                    attr.TRIGGER: _check_trigger(trigger),
                }
            )
        )

    def _fresh(self) -> Session:
        return Session(self.session_id, **self._args)

    def __enter__(self) -> Session:
        super().__enter__()
        return self

    async def __aenter__(self) -> Session:
        return self.__enter__()

    def outcome(self, outcome: str, *, grade: float | None = None, reason: str | None = None) -> None:
        """Records how the session ended, for sessions whose calls carry no task."""
        record_outcome(session_id=self.session_id, outcome=outcome, grade=grade, reason=reason)


class Task(_Scope):
    """A unit of work with an outcome. Its calls are stamped with its id; `outcome()` says how it ended.

    The task is a span of its own (`task {kind}`), parent of the LLM calls made inside it, so a trace shows the
    task's calls together. An exception leaving the scope records the outcome `failed` unless one was recorded.
    """

    def __init__(self, task_id: str, *, kind: str | None = None, lane: str | None = None) -> None:
        self.task_id = _require_text("task_id", task_id)
        self.kind = kind
        self._lane = lane
        self._span: trace.Span | None = None
        self._span_token: object = None
        self._outcome_recorded = False
        super().__init__(_clean({attr.TASK_ID: task_id, attr.TASK_KIND: kind, attr.LANE: lane}))

    def _fresh(self) -> Task:
        return Task(self.task_id, kind=self.kind, lane=self._lane)

    def __enter__(self) -> Task:
        super().__enter__()
        tracer = trace.get_tracer(TRACER_NAME, __version__)
        self._span = tracer.start_span(f"task {self.kind}" if self.kind else "task", kind=trace.SpanKind.INTERNAL)
        self._span_token = otel_context.attach(trace.set_span_in_context(self._span))
        return self

    async def __aenter__(self) -> Task:
        return self.__enter__()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        span, self._span = self._span, None
        try:
            if span is not None:
                if exc is not None and not self._outcome_recorded and isinstance(exc, Exception):
                    span.set_attributes(_outcome_attributes("failed", None, type(exc).__qualname__))
                    span.set_status(trace.Status(trace.StatusCode.ERROR, str(exc)))
                span.end()
        finally:
            if self._span_token is not None:
                otel_context.detach(cast(Any, self._span_token))
                self._span_token = None
            super().__exit__(exc_type, exc, tb)

    def outcome(self, outcome: str, *, grade: float | None = None, reason: str | None = None) -> None:
        """Records how the task ended: on the task's span while it is open, else as an outcome span (latest wins)."""
        values = _outcome_attributes(outcome, grade, reason)
        self._outcome_recorded = True
        if self._span is not None and self._span.is_recording():
            self._span.set_attributes(values)
            return
        record_outcome(task_id=self.task_id, outcome=outcome, grade=grade, reason=reason)


class Trigger(_Scope):
    """Marks the calls inside as caused by a heartbeat, a schedule, a user or a reaction to an event."""

    def __init__(self, trigger: str) -> None:
        super().__init__({attr.TRIGGER: cast(str, _check_trigger(_require_text("trigger", trigger)))})
        self._trigger = trigger

    def _fresh(self) -> Trigger:
        return Trigger(self._trigger)


def session(
    session_id: str,
    *,
    agent: str | None = None,
    role: str | None = None,
    lane: str | None = None,
    trigger: str | None = None,
) -> Session:
    """A session scope; `agent` names the agent instance (`gen_ai.agent.name`), `role` its kind (`pm`, `coder`)."""
    return Session(session_id, agent=agent, role=role, lane=lane, trigger=trigger)


def task(task_id: str, *, kind: str | None = None, lane: str | None = None) -> Task:
    """A task scope inside the current session; use `as t` and `t.outcome(...)` to record how it ended."""
    return Task(task_id, kind=kind, lane=lane)


def trigger(kind: str) -> Trigger:
    """A trigger scope: `user`, `heartbeat`, `schedule` or `reactive`."""
    return Trigger(kind)


def heartbeat() -> Trigger:
    """Marks background keep-alive checks, the calls that drain idle sessions."""
    return Trigger("heartbeat")


def _outcome_attributes(outcome: str, grade: float | None, reason: str | None) -> dict[str, AttributeValue]:
    if outcome not in attr.OUTCOMES:
        raise ValueError(f"agentcost: outcome must be one of {sorted(attr.OUTCOMES)}, got {outcome!r}")
    if grade is not None and (isinstance(grade, bool) or not isinstance(grade, (int, float)) or not 0 <= grade <= 1):
        raise ValueError(f"agentcost: grade must be a number in [0, 1], got {grade!r}")
    return _clean(
        {attr.OUTCOME: outcome, attr.GRADE: None if grade is None else float(grade), attr.OUTCOME_REASON: reason}
    )


def record_outcome(
    *,
    outcome: str,
    task_id: str | None = None,
    session_id: str | None = None,
    grade: float | None = None,
    reason: str | None = None,
) -> None:
    """Records a task's (or a session's) outcome from anywhere, e.g. a grader that runs later in another process.

    It is a zero-length span named `agentcost.outcome`; the dashboards take the latest outcome of each unit, so a
    later grade replaces an earlier one. Needs a tracer provider (`agentcost.init()` sets one up).
    """
    if task_id is None and session_id is None:
        raise ValueError("agentcost: record_outcome needs a task_id or a session_id")
    values = _outcome_attributes(outcome, grade, reason)
    ids = _clean(
        {
            attr.TASK_ID: None if task_id is None else _require_text("task_id", task_id),
            attr.SESSION_ID: None if session_id is None else _require_text("session_id", session_id),
        }
    )
    tracer = trace.get_tracer(TRACER_NAME, __version__)
    now = time.time_ns()
    span = tracer.start_span("agentcost.outcome", kind=trace.SpanKind.INTERNAL, start_time=now)
    if not span.is_recording():
        _log.warning(
            "agentcost: outcome %r for %s not recorded: no tracer provider; call agentcost.init()", outcome, ids
        )
    span.set_attributes({**ids, **values})
    span.end(end_time=now)
