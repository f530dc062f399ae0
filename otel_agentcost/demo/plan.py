"""The fleet as data: what each simulated session does, and when, before anything runs.

Keeping the plan apart from the code that runs it lets the tests check the fleet's design (bands, outcomes,
intervals) without running it, and lets the demo print what it is about to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from otel_agentcost.standin import Reply


@dataclass(frozen=True)
class Call:
    """One LLM call. `prompt` is the message it adds; `input_tokens` None lets the stand-in count the request.

    A standalone call (a heartbeat, a poll) sends its prompt alone; any other call sends the conversation so far.
    `borrow_from` names a session whose earlier messages leak into this request (cross-session bleed).
    """

    at: datetime
    provider: str
    model: str
    output_tokens: int
    prompt: str
    reply: str = "OK"
    input_tokens: int | None = None
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    trigger: str | None = None
    standalone: bool = False
    stream: bool = False
    borrow_from: str | None = None

    def scripted_reply(self) -> Reply:
        return Reply(
            text=self.reply,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cached_tokens=self.cached_tokens,
            cache_write_tokens=self.cache_write_tokens,
        )


@dataclass(frozen=True)
class Outcome:
    outcome: str
    grade: float
    reason: str | None = None


@dataclass(frozen=True)
class Unit:
    """A task: its calls in order, then its outcome, recorded at `ends_at`."""

    task_id: str
    kind: str
    lane: str | None
    calls: tuple[Call, ...]
    ends_at: datetime
    outcome: Outcome

    @property
    def starts_at(self) -> datetime:
        return self.calls[0].at

    @property
    def output_tokens(self) -> int:
        return sum(call.output_tokens for call in self.calls)


Item = Call | Unit


@dataclass(frozen=True)
class SessionPlan:
    """One session: its calls and tasks in time order.

    `carry_context` keeps one conversation across the session's tasks (each task's requests carry the earlier
    tasks' messages); otherwise every task starts a fresh conversation. A session `outcome` is recorded at
    `ends_at`, for sessions whose calls carry no task.
    """

    session_id: str
    agent: str
    role: str | None
    shows: str
    items: tuple[Item, ...]
    carry_context: bool = False
    outcome: Outcome | None = None
    ends_at: datetime | None = None

    @property
    def calls(self) -> tuple[Call, ...]:
        return tuple(call for item in self.items for call in (item.calls if isinstance(item, Unit) else (item,)))

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(item for item in self.items if isinstance(item, Unit))


@dataclass(frozen=True)
class Fleet:
    start: datetime
    end: datetime
    seed: int
    sessions: tuple[SessionPlan, ...]

    @property
    def calls(self) -> tuple[Call, ...]:
        return tuple(call for session in self.sessions for call in session.calls)
