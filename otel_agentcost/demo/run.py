"""The demo from start to end: the store, the fleet's run, its check, the reports, and what to do next.

Everything it prints goes to stdout, in the order a newcomer reads it: where the data goes, what the fleet does,
how time was compressed, the five reports over the simulated days, and how to instrument their own agent.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from typing import Any

from otel_agentcost.cli.options import UsageError, write_rows
from otel_agentcost.demo.plan import Fleet
from otel_agentcost.demo.simulation import Simulation, simulate
from otel_agentcost.store import Store, StoreError, open_store

REPORTS = ("band-waste", "heartbeat-drain", "context", "lanes", "cost")

NEXT_STEPS = """\
Instrument your own agent
  In code, once at start-up, then scopes around the work (context managers, sync and async, or decorators):

    import otel_agentcost as agentcost

    agentcost.init(service_name="my-agent")  # OTLP to 127.0.0.1:4318 (or store="chdb:DIR" for one process)
    with agentcost.session("s-42", agent="my-agent-1", role="coder"):
        with agentcost.task("T-7", kind="bugfix") as task:
            ...  # your openai / anthropic calls, unchanged
            task.outcome("blocked", grade=0.4, reason="claim denied")
        with agentcost.heartbeat():
            ...  # keep-alive checks

  Or with no code change:
    AGENTCOST_SESSION_ID=s-42 AGENTCOST_ROLE=coder opentelemetry-instrument python agent.py

  Then store the spans and read the reports:
    otel-agentcost db init
    otel-agentcost serve                          # OTLP/HTTP on 127.0.0.1:4318, the dashboards at http://127.0.0.1:4318/
    otel-agentcost report heartbeat-drain --since 7d"""


def run_demo(fleet: Fleet, store: str) -> int:
    """Runs the demo into `store`; returns 0, or the exit code of the first command that failed."""
    from otel_agentcost.cli import main  # the command line imports this module for `demo`

    days = (fleet.end - fleet.start).days
    print(
        f"otel-agentcost demo: {days} simulated day(s) of an agent fleet, through the real openai and anthropic "
        f"SDKs to a stand-in LLM server on 127.0.0.1, stored in {store}\n"
    )
    code = main(["db", "init", "--store", store])
    if code:
        return code
    with open_store(store) as opened:  # one store for the check, the run and its verification
        _refuse_occupied_window(fleet, opened)
        simulation = simulate(fleet, opened)
        _check_stored(fleet, opened)
    _print_fleet(fleet, simulation)
    window = ["--store", store, "--from", _iso(fleet.start), "--to", _iso(fleet.end)]
    codes = []
    for name in REPORTS:
        print(f"\n== otel-agentcost report {name} ==")
        sys.stdout.flush()
        codes.append(main(["report", name, *window]))
    print(f"\n{NEXT_STEPS}\n\n{_explore(store, window)}")
    return next((code for code in codes if code), 0)


def _explore(store: str, window: list[str]) -> str:
    options = " ".join(window)
    return (
        "Explore this demo's data:\n"
        f"  otel-agentcost report band-waste {options}    (or heartbeat-drain, context, lanes, cost; --format json)\n"
        f"  otel-agentcost report --html agentcost-demo.html {options}    (all the reports as one page)\n"
        f"  otel-agentcost serve --store {store}    (the same page live at http://127.0.0.1:4318/)"
    )


def _refuse_occupied_window(fleet: Fleet, store: Store) -> None:
    (row,) = _query(store, "spans_in_window", fleet)
    if row["spans"]:
        raise UsageError(
            f"{store.url} already holds {row['spans']} span(s) between {_iso(fleet.start)} and {_iso(fleet.end)}, the "
            "simulated days, and the reports would mix them with the demo's: give a fresh directory "
            "(--store chdb:NEW_DIR) or other days (--start)"
        )


def _check_stored(fleet: Fleet, store: Store) -> None:
    (row,) = _query(store, "stored_calls", fleet)
    if row["calls"] != len(fleet.calls) or row["priced_calls"] != row["calls"]:
        raise StoreError(
            f"the fleet made {len(fleet.calls)} LLM calls but {store.url} holds {row['calls']} in the simulated days "
            f"({row['priced_calls']} priced): some spans were lost or stored at the wrong time"
        )


def _query(store: Store, name: str, fleet: Fleet) -> list[dict[str, Any]]:
    sql = (resources.files(__package__) / "sql" / f"{name}.sql").read_text(encoding="utf-8")
    return store.query(sql, {"from": fleet.start, "to": fleet.end})


def _print_fleet(fleet: Fleet, simulation: Simulation) -> None:
    print("\nThe fleet:")
    write_rows(_fleet_rows(fleet), ("sessions", "calls", "models", "shows"), "table", sys.stdout)
    days = (fleet.end - fleet.start).days
    print(
        f"{days} simulated day(s), {fleet.start:%Y-%m-%d %H:%M} to {fleet.end:%Y-%m-%d %H:%M} UTC, ran in "
        f"{simulation.seconds:.1f} s: {simulation.calls} LLM calls at {simulation.instants} simulated instants.\n"
        "Time was compressed by jumping: the clock goes straight from one scheduled step to the next, and every "
        "span carries the simulated time of its step (so heartbeats are 30 minutes apart in the data); a call "
        "lasts as long as it really took against the stand-in."
    )


def _fleet_rows(fleet: Fleet) -> list[dict[str, Any]]:
    """One row per kind of session (what it shows), in the order the fleet lists them."""
    groups: dict[str, list[Any]] = {}
    for plan in fleet.sessions:
        groups.setdefault(plan.shows, []).append(plan)
    return [
        {
            "sessions": _names([plan.session_id for plan in plans]),
            "calls": sum(len(plan.calls) for plan in plans),
            "models": ", ".join(sorted({call.model for plan in plans for call in plan.calls})),
            "shows": shows,
        }
        for shows, plans in groups.items()
    ]


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} +{len(names) - 1}"


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%MZ")
