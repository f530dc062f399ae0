"""Tasks are recognised where the agent starts over, with ids that are stable, readable and derived from hashes."""

from __future__ import annotations

import re

from otel_agentcost import attributes as attr
from otel_agentcost.attribution import AttributionSettings, CallAttributor, CallRequest
from tests.attribution.scenario import HEARTBEAT, SYSTEM, chars, in_code, in_session, layers, prompt, reply, user


def task_of(agent, messages, session="agent:main:main", **request):
    return agent.attribute(in_session(session), CallRequest(messages=list(messages), **request)).attributes.get(
        attr.TASK_ID
    )


def test_a_task_id_names_its_session_and_a_hash_of_its_first_message():
    task = task_of(CallAttributor(), [SYSTEM, prompt("deploy")])
    assert re.fullmatch(r"agent:main:main/task-[0-9a-f]{8}", task)
    assert "deploy" not in task


def test_calls_that_extend_the_conversation_stay_in_its_task():
    agent = CallAttributor()
    conversation = [SYSTEM, prompt("a")]
    first = task_of(agent, conversation)
    for turn in range(3):
        conversation += [reply(f"a{turn}"), prompt(f"a{turn}")]
        assert task_of(agent, conversation) == first


def test_a_reset_conversation_is_a_new_task_and_the_same_conversation_gets_the_same_id_in_any_process():
    agent = CallAttributor()
    first = task_of(agent, [SYSTEM, prompt("a")])
    second = task_of(agent, [SYSTEM, prompt("b")])
    assert second != first
    restarted = CallAttributor()  # another process, or this one after a restart, continuing the second conversation
    assert task_of(restarted, [SYSTEM, prompt("b"), reply("b"), prompt("b2")]) == second


def test_starting_over_with_the_same_first_message_is_a_new_task_with_a_repeat_suffix():
    agent = CallAttributor()
    first = task_of(agent, [SYSTEM, prompt("daily report")])
    task_of(agent, [SYSTEM, prompt("daily report"), reply("done"), prompt("more")])
    again = task_of(agent, [SYSTEM, prompt("daily report")])
    assert again == f"{first}-2"
    assert task_of(agent, [SYSTEM, prompt("daily report"), reply("today"), prompt("more today")]) == again


def test_a_retried_first_call_is_not_a_new_task():
    agent = CallAttributor()
    assert task_of(agent, [SYSTEM, prompt("a")]) == task_of(agent, [SYSTEM, prompt("a")])


def test_a_reset_command_starts_a_task_that_inherits_the_history_it_keeps():
    agent = CallAttributor()
    history = [SYSTEM, prompt("a"), reply("a"), prompt("a2"), reply("a2")]
    first = task_of(agent, history[:4])
    command = user("/new Plan the release checklist for version 2.0 and list the open risks for it.")
    result = agent.attribute(in_session("agent:main:main"), CallRequest(messages=[*history, command]))
    assert result.attributes[attr.TASK_ID] != first
    assert result.context.inherited_chars == chars(*history[1:])
    later = [*history, command, reply("plan"), prompt("risks")]
    assert task_of(agent, later) == result.attributes[attr.TASK_ID]
    another = task_of(agent, [*later, reply("risks"), user("/reset")])
    assert another not in (first, result.attributes[attr.TASK_ID])  # every command starts a different task


def test_after_a_restart_the_history_before_a_command_is_known_to_be_an_earlier_tasks():
    history = [SYSTEM, prompt("a"), reply("a"), user("/new and now something else entirely, with enough words")]
    result = CallAttributor().attribute(in_session("s"), CallRequest(messages=history))
    assert result.context.inherited_chars == chars(prompt("a"), reply("a"))


def test_heartbeats_belong_to_no_task_and_leave_the_current_one_alone():
    agent = CallAttributor()
    conversation = [SYSTEM, prompt("a"), reply("a"), prompt("a2")]
    task = task_of(agent, conversation)
    assert task_of(agent, [SYSTEM, HEARTBEAT]) is None
    assert task_of(agent, [*conversation, reply("a2"), HEARTBEAT]) is None
    assert task_of(agent, [*conversation, reply("a2"), prompt("a3")]) == task


def test_sessions_with_the_same_first_message_have_different_tasks():
    agent = CallAttributor()
    assert task_of(agent, [prompt("x")], session="one") != task_of(agent, [prompt("x")], session="two")


def test_no_task_is_derived_where_the_code_says_what_the_unit_is_or_detection_is_off():
    agent = CallAttributor()
    request = CallRequest(messages=[SYSTEM, prompt("a")])
    assert attr.TASK_ID not in agent.attribute(in_code("s"), request).attributes  # the code's session, no task
    assert agent.attribute(in_code("s", "T-7"), request).attributes[attr.TASK_ID] == "T-7"
    assert agent.attribute(in_session("s", **{attr.TASK_ID: "T-8"}), request).attributes[attr.TASK_ID] == "T-8"
    off = CallAttributor(AttributionSettings.from_env({"AGENTCOST_DETECT_TASKS": "false"}))
    assert attr.TASK_ID not in off.attribute(in_session("s"), request).attributes
    assert attr.TASK_ID not in agent.attribute(layers(), request).attributes  # no session, no task


def test_a_server_side_continuation_stays_in_the_current_task():
    agent = CallAttributor()
    first = task_of(agent, [prompt("a")])
    assert task_of(agent, [prompt("b")], continues=True) == first
