"""Zero-code attribution: agents with no tracing code, run under `opentelemetry-instrument` with only this package
installed, writing spans straight into chDB (`OTEL_TRACES_EXPORTER=agentcost_clickhouse`). Every span gets the right
session (from the `x-session-key` the agent sends), task (from its conversation resets and `/new`) and trigger (from
its heartbeat prompts), and the shipped reports show the heartbeat drain and the inherited context per task, and SQL
over the views the bleed between sessions, across two processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from otel_agentcost.reports import REPORTS
from otel_agentcost.reports.runner import run_report
from otel_agentcost.reports.window import TimeWindow
from otel_agentcost.standin import Reply, StandinLLM
from otel_agentcost.store import open_store
from tests.zero_code.attribution_agent import (
    HEARTBEAT,
    MAIL,
    MAIL_SYSTEM,
    NOTES,
    OPS,
    PROMPTS,
    REPLIES,
    SIDE,
    SYSTEM,
)

AGENT = Path(__file__).with_name("attribution_agent.py")
SQL = Path(__file__).with_name("sql")
WINDOW = {"from": datetime(1970, 1, 1, tzinfo=timezone.utc), "to": datetime(2200, 1, 1, tzinfo=timezone.utc)}
EVER = TimeWindow(WINDOW["from"], WINDOW["to"])
OUTPUT = 5

# Input tokens the stand-in reports, per call, in the order the agents make them.
OPS_INPUT = [1000, 1500, 800, 1100, 1600, 2100, 2400, 2900, 900]
OPS_REPLIES = ["t1", "t1b", "heartbeat", "t2", "t2b", "heartbeat", "t3", "t3b", "heartbeat"]
MAIL_INPUT = [700, 600, 500, 650, 900]
MAIL_REPLIES = ["mail", "side", "heartbeat", "notes", "notes2"]


def chars(*texts: str) -> int:
    return sum(len(text) for text in texts)


def run_agent(llm: StandinLLM, which: str, store: Path, inputs: list[int], replies: list[str]) -> None:
    llm.enqueue(
        *(
            Reply(text=REPLIES[name], input_tokens=n, output_tokens=OUTPUT)
            for n, name in zip(inputs, replies, strict=True)
        )
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AGENTCOST_", "OTEL_"))}
    env |= {
        "OTEL_TRACES_EXPORTER": "agentcost_clickhouse",
        "AGENTCOST_STORE": f"chdb:{store}",
        "OTEL_SERVICE_NAME": f"{which}-agent",
        "STANDIN_OPENAI_URL": llm.openai_base_url,
        "STANDIN_ANTHROPIC_URL": llm.anthropic_base_url,
    }
    instrument = Path(sys.executable).with_name("opentelemetry-instrument")
    result = subprocess.run(
        [str(instrument), sys.executable, str(AGENT), which], env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "agentcost" not in result.stderr, result.stderr[-3000:]  # no attribution warning or error


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    directory = tmp_path_factory.mktemp("zero-code-store")
    with StandinLLM() as llm:
        run_agent(llm, "ops", directory, OPS_INPUT, OPS_REPLIES)
        run_agent(llm, "mail", directory, MAIL_INPUT, MAIL_REPLIES)
    opened = open_store(f"chdb:{directory}")
    yield opened
    opened.close()


def query(store, name, parameters=None):
    return store.query((SQL / f"{name}.sql").read_text(), parameters)


# The conversation the ops agent has when it types `/new` (task 2's turns), and the requests that carry it.
TASK_2 = chars(PROMPTS["t2"], REPLIES["t2"], PROMPTS["t2b"], REPLIES["t2b"])
HEARTBEAT_ON_TOP = chars(SYSTEM, HEARTBEAT) + TASK_2
NEW_TASK = chars(SYSTEM, PROMPTS["t3"]) + TASK_2
NEW_TASK_LATER = NEW_TASK + chars(REPLIES["t3"], PROMPTS["t3b"])
SIDE_REQUEST = chars(PROMPTS["mail"], REPLIES["mail"], PROMPTS["side"]) + len(
    "You are the mail agent of the Acme team: triage, draft, file."
)


def test_every_ops_span_has_its_session_task_and_trigger(store):
    calls = [row for row in query(store, "llm_calls") if row["service"] == "ops-agent"]
    assert [row["session_id"] for row in calls] == [OPS] * 9
    # Heartbeats by their prompt; the rest carry no marker and stay untagged (no user pattern by default).
    assert [row["trigger"] for row in calls] == ["", "", "heartbeat"] * 3
    tasks = [row["task_id"] for row in calls]
    assert tasks[2] == tasks[5] == tasks[8] == ""  # heartbeats belong to no task
    first, second, third = tasks[0], tasks[3], tasks[6]
    assert (tasks[1], tasks[4], tasks[7]) == (first, second, third)
    assert len({first, second, third}) == 3
    assert all(re.fullmatch(r"agent:ops:main/task-[0-9a-f]{8}", task) for task in (first, second, third))


def test_inherited_context_is_the_earlier_tasks_share_of_each_request(store):
    calls = [row for row in query(store, "llm_calls") if row["service"] == "ops-agent"]
    assert [row["input_tokens"] for row in calls] == OPS_INPUT
    assert [row["inherited_tokens"] for row in calls] == [
        0,
        0,
        0,
        0,
        0,
        2100 * TASK_2 // HEARTBEAT_ON_TOP,
        2400 * TASK_2 // NEW_TASK,
        2900 * TASK_2 // NEW_TASK_LATER,
        0,
    ]
    assert all(row["foreign_tokens"] == 0 for row in calls)


def test_the_heartbeat_drain_report_shows_each_sessions_heartbeats(store):
    rows = run_report(store, REPORTS["heartbeat-drain"], EVER).rows
    drain = {r["session_id"]: (r["heartbeat_calls"], r["heartbeat_cost_usd"] > 0, r["idle"]) for r in rows}
    assert drain == {OPS: (3, True, False), NOTES: (1, True, False)}  # both did other work: not idle
    ops = next(r for r in rows if r["session_id"] == OPS)
    assert ops["other_calls"] == 6 and ops["cost_per_day_usd"] > 0


def test_the_context_report_shows_the_inherited_and_foreign_tokens_per_task(store):
    result = run_report(store, REPORTS["context"], EVER)
    tasks = {(r["session_id"], r["input_tokens"], r["inherited_tokens"], r["foreign_tokens"]) for r in result.rows}
    assert (OPS, 5300, 2400 * TASK_2 // NEW_TASK + 2900 * TASK_2 // NEW_TASK_LATER, 0) in tasks
    assert (SIDE, 600, 0, 600 * len(PROMPTS["mail"]) // SIDE_REQUEST) in tasks
    foreign = {r["session_id"]: r["foreign_tokens"] for r in result.sections["foreign"]}
    # The mail session's bleed came from the ops process: only the stored spans of both show it.
    mail_request = chars(PROMPTS["t2"], REPLIES["t2"], PROMPTS["mail"]) + len(MAIL_SYSTEM)
    bled = 700 * len(PROMPTS["t2"]) // mail_request + 700 * len(REPLIES["t2"]) // mail_request
    assert foreign == {MAIL: bled, SIDE: 600 * len(PROMPTS["mail"]) // SIDE_REQUEST}


def test_the_inherited_and_foreign_context_per_task(store):
    rows = {
        (r["session_id"], r["calls"], r["input_tokens"], r["inherited_tokens"], r["foreign_tokens"])
        for r in query(store, "context", WINDOW)
    }
    assert rows == {
        (OPS, 2, 2500, 0, 0),
        (OPS, 2, 2700, 0, 0),
        (OPS, 2, 5300, 2400 * TASK_2 // NEW_TASK + 2900 * TASK_2 // NEW_TASK_LATER, 0),
        (MAIL, 1, 700, 0, 0),
        (SIDE, 1, 600, 0, 600 * len(PROMPTS["mail"]) // SIDE_REQUEST),
        (NOTES, 2, 1550, 0, 0),
    }


def test_bleed_between_sessions_is_found_across_processes_and_unrelated_sessions_show_none(store):
    mail_request = chars(PROMPTS["t2"], REPLIES["t2"], PROMPTS["mail"]) + len(
        "You are the mail agent of the Acme team: triage, draft, file."
    )
    rows = query(store, "bleed")
    assert [(r["session_id"], r["service"], r["origin_session_id"], r["origin_service"]) for r in rows] == [
        (MAIL, "mail-agent", OPS, "ops-agent"),  # only SQL over both processes' spans can see this one
        (SIDE, "mail-agent", MAIL, "mail-agent"),
    ]
    bled, shared = rows
    assert (bled["messages"], bled["chars"]) == (2, chars(PROMPTS["t2"], REPLIES["t2"]))
    assert bled["tokens"] == 700 * len(PROMPTS["t2"]) // mail_request + 700 * len(REPLIES["t2"]) // mail_request
    assert (shared["messages"], shared["chars"], shared["tokens"]) == (
        1,
        len(PROMPTS["mail"]),
        600 * len(PROMPTS["mail"]) // SIDE_REQUEST,
    )
