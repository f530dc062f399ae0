"""The scheduler: runs the fleet's actors in simulated-time order, the ones due at the same time concurrently.

An actor is a generator (its script) that yields the simulated time at which it wants to run next. The scheduler
resumes the actors due earliest, all of them at once on a thread pool, then the next ones due, so the simulation
takes as long as its calls do, not as long as the days it simulates. Each actor runs in a `contextvars.Context` of
its own: its session and task scopes stay open across its yields and never leak into another actor.
"""

from __future__ import annotations

import contextvars
import heapq
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, wait
from datetime import datetime

from otel_agentcost.demo import clock

Script = Iterator[datetime]


class Actor:
    """One script in its own context. The code before the script's first yield runs outside simulated time, so
    it must not make spans (entering a session scope is fine: a session is not a span)."""

    def __init__(self, name: str, script: Script) -> None:
        self.name = name
        self._script = script
        self._context = contextvars.copy_context()

    def first_time(self) -> datetime | None:
        return self._context.run(next, self._script, None)

    def resume(self, at: datetime) -> datetime | None:
        """Runs the script at simulated time `at` until it asks for its next time (None when it has finished)."""
        return self._context.run(self._step, at)

    def close(self) -> None:
        """Ends an unfinished script in its own context, so that its scopes exit where they were entered."""
        self._context.run(self._script.close)

    def _step(self, at: datetime) -> datetime | None:
        clock.set_now(at)
        return next(self._script, None)


def run_actors(actors: Sequence[Actor], executor: Executor) -> int:
    """Runs every actor to its end; returns how many simulated instants ran (batches of actors due together).

    If a script raises, every script is closed and the first error is raised once the instant's batch is over.
    """
    try:
        return _run(actors, executor)
    except BaseException:
        for actor in actors:
            actor.close()
        raise


def _run(actors: Sequence[Actor], executor: Executor) -> int:
    due: list[tuple[datetime, int, Actor]] = []
    for order, actor in enumerate(actors):
        first = actor.first_time()
        if first is not None:
            heapq.heappush(due, (first, order, actor))
    instants = 0
    while due:
        now = due[0][0]
        batch = []
        while due and due[0][0] == now:
            batch.append(heapq.heappop(due))
        instants += 1
        futures = [executor.submit(actor.resume, now) for _, _, actor in batch]
        wait(futures)  # all of the instant's actors are done before any error is raised
        for (_, order, actor), future in zip(batch, futures, strict=True):
            after = future.result()
            if after is None:
                continue
            if after < now:
                raise ValueError(
                    f"actor {actor.name} asked to run at {after.isoformat()}, before the simulated now "
                    f"{now.isoformat()}: a script's times must never go back"
                )
            heapq.heappush(due, (after, order, actor))
    return instants
