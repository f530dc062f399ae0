"""Per-session tracking: inherited context from earlier tasks, foreign context from other sessions, the messages a
call introduces, and memory that stays bounded however long sessions run."""

from __future__ import annotations

import re

from otel_agentcost import attributes as attr
from otel_agentcost.attribution import AttributionSettings, CallAttributor, CallRequest
from tests.attribution.scenario import (
    HEARTBEAT,
    SYSTEM,
    assistant,
    chars,
    in_code,
    in_session,
    prompt,
    reply,
    user,
)

INPUT_TOKENS = 10_000


def attributor(**variables: str) -> CallAttributor:
    return CallAttributor(AttributionSettings.from_env(variables))


def call(attributor_, layers_, messages, **request):
    return attributor_.attribute(layers_, CallRequest(messages=list(messages), **request))


def test_five_sequential_tasks_inherit_exactly_the_share_of_the_earlier_tasks_messages():
    agent = attributor()
    conversation = [SYSTEM]
    for k in range(1, 6):
        conversation.append(prompt(f"T{k}"))
        result = call(agent, in_code("s-day", f"T{k}"), conversation)
        earlier = chars(*conversation[1:-1])  # every prompt and reply of tasks 1..k-1
        total = chars(*conversation)
        assert result.context.tokens(INPUT_TOKENS) == (INPUT_TOKENS * earlier // total, 0)
        conversation.append(reply(f"T{k}"))
    assert earlier == chars(*(m for k in range(1, 5) for m in (prompt(f"T{k}"), reply(f"T{k}"))))


def test_a_task_carried_over_several_calls_inherits_the_same_messages_on_each():
    agent = attributor()
    conversation = [SYSTEM, prompt("T1"), reply("T1"), prompt("T2")]
    call(agent, in_code("s", "T1"), conversation[:2])
    first = call(agent, in_code("s", "T2"), conversation)
    conversation += [reply("T2"), prompt("T2 again")]
    second = call(agent, in_code("s", "T2"), conversation)
    inherited = chars(prompt("T1"), reply("T1"))
    assert first.context.inherited_chars == second.context.inherited_chars == inherited
    assert second.context.total_chars == chars(*conversation)


def test_two_parallel_sessions_that_share_messages_show_foreign_tokens():
    agent = attributor()
    shared = user("Customer #4411 contract: renewal at 120k, legal wants clause 7 removed before signing. " * 2)
    call(agent, in_session("email-triage"), [SYSTEM, prompt("triage"), shared])
    coding = [SYSTEM, prompt("code"), reply("code"), shared]
    result = call(agent, in_session("code-gen"), coding)
    assert result.context.foreign_chars == chars(shared)
    assert result.context.tokens(INPUT_TOKENS)[1] == INPUT_TOKENS * chars(shared) // chars(*coding)
    later = call(agent, in_session("code-gen"), [*coding, reply("code 2"), prompt("code 2")])
    assert later.context.foreign_chars == chars(shared)  # it stays foreign in every later call


def test_unrelated_sessions_show_no_foreign_tokens_despite_the_same_standing_prompts():
    agent = attributor()
    for session in ("alpha", "beta", "gamma"):
        for conversation in (
            [SYSTEM, HEARTBEAT],
            [SYSTEM, prompt(session), assistant("ok")],
            [SYSTEM, prompt(session), assistant("ok"), prompt(f"{session} 2"), HEARTBEAT],
        ):
            assert call(agent, in_session(session), conversation).context.foreign_chars == 0


def test_system_prompt_and_tool_definitions_count_in_the_whole_but_are_never_inherited():
    agent = attributor()
    tools = [{"name": "shell", "description": "Runs a command", "input_schema": {"type": "object"}}]
    call(agent, in_code("s", "T1"), [prompt("T1")], system="Be exact.", tools=tools)
    result = call(agent, in_code("s", "T2"), [prompt("T1"), reply("T1"), prompt("T2")], system="Be exact.", tools=tools)
    tools_chars = len('[{"description":"Runs a command","input_schema":{"type":"object"},"name":"shell"}]')
    assert result.context.total_chars == len("Be exact.") + tools_chars + chars(prompt("T1"), reply("T1"), prompt("T2"))
    assert result.context.inherited_chars == chars(prompt("T1"), reply("T1"))


def introduced(result):
    value = result.attributes.get(attr.CONTEXT_INTRODUCED)
    return [] if value is None else [tuple(item.split(":")) for item in value.split(",")]


def test_each_span_lists_the_messages_it_brought_into_its_session_by_fingerprint_and_size():
    agent = attributor()
    first = call(agent, in_session("s"), [SYSTEM, HEARTBEAT, assistant("HEARTBEAT_OK"), prompt("a")])
    assert [size for _, size in introduced(first)] == [str(chars(prompt("a")))]  # not standing nor short ones
    assert all(re.fullmatch("[0-9a-f]{16}", fingerprint) for fingerprint, _ in introduced(first))
    again = call(agent, in_session("s"), [SYSTEM, prompt("a"), reply("a"), prompt("b"), assistant("ok")])
    assert sorted(int(size) for _, size in introduced(again)) == sorted([chars(prompt("b")), chars(reply("a"))])
    elsewhere = call(agent, in_session("other"), [SYSTEM, HEARTBEAT, prompt("a")])
    assert introduced(elsewhere) == introduced(first)  # new to its session, though the process saw it before
    assert first.attributes[attr.CONTEXT_CHARS] == chars(SYSTEM, HEARTBEAT, assistant("HEARTBEAT_OK"), prompt("a"))


def test_a_span_lists_at_most_the_configured_number_of_messages_the_largest_first():
    agent = attributor(AGENTCOST_FINGERPRINTS_PER_SPAN="2")
    messages = [user(f"message {i} " + "x" * (100 + i)) for i in range(5)]
    sizes = [int(size) for _, size in introduced(call(agent, in_session("s"), messages))]
    assert sizes == [chars(messages[4]), chars(messages[3])]
    assert introduced(call(attributor(AGENTCOST_FINGERPRINTS_PER_SPAN="0"), in_session("s"), messages)) == []


def test_a_heartbeat_only_reads_the_session_so_the_task_continues_after_it():
    agent = attributor()
    conversation = [SYSTEM, prompt("a"), reply("a"), prompt("b")]
    task = call(agent, in_session("s"), conversation).attributes[attr.TASK_ID]
    records = len(agent.tracker.sessions.get("s"))
    beat = call(agent, in_session("s"), [SYSTEM, HEARTBEAT])
    assert beat.attributes[attr.TRIGGER] == "heartbeat"
    assert attr.TASK_ID not in beat.attributes and attr.CONTEXT_INTRODUCED not in beat.attributes
    assert len(agent.tracker.sessions.get("s")) == records  # the task's records are untouched
    after = call(agent, in_session("s"), [*conversation, reply("b"), prompt("c")])
    assert after.attributes[attr.TASK_ID] == task


def test_a_heartbeat_on_top_of_the_conversation_counts_the_tasks_messages_as_inherited():
    agent = attributor()
    conversation = [SYSTEM, prompt("a"), reply("a")]
    call(agent, in_session("s"), conversation[:2])
    beat = call(agent, in_session("s"), [*conversation, HEARTBEAT])
    assert beat.context.inherited_chars == chars(prompt("a"), reply("a"))


def test_a_call_that_continues_a_server_side_conversation_adds_to_the_session_records():
    agent = attributor()
    first = call(agent, in_session("s"), [prompt("a")])
    then = call(agent, in_session("s"), [prompt("b")], continues=True)
    assert then.attributes[attr.TASK_ID] == first.attributes[attr.TASK_ID]
    assert then.context.total_chars == chars(prompt("a"), prompt("b"))


def test_a_conversation_too_long_to_keep_is_still_attributed(monkeypatch):
    monkeypatch.setattr("otel_agentcost.attribution.tracking.MAX_RECORDS", 4)
    agent = attributor()
    conversation = [SYSTEM, prompt("T1"), reply("T1"), prompt("T2"), reply("T2"), prompt("T3")]
    call(agent, in_code("s", "T1"), conversation[:2])
    result = call(agent, in_code("s", "T3"), conversation)
    assert result.context.inherited_chars == chars(prompt("T1"))  # known from the ledger, not from records
    assert len(agent.tracker.sessions.get("s")) == 0


def test_memory_stays_bounded_by_the_caps_whatever_the_number_of_calls():
    """The state is capped, not grown: after 20,000 calls (40,000 fingerprints, 100 sessions) it holds what the caps
    allow. bench/attribution.py runs 100,000 calls and reports the bytes."""
    agent = attributor(AGENTCOST_LEDGER_SIZE="2000", AGENTCOST_LEDGER_SESSIONS="50")
    for number in range(20_000):
        session, turn = divmod(number, 200)  # 100 sessions of 200 calls, each resetting every 5 calls
        if turn % 5 == 0:
            conversation = [SYSTEM]
        conversation.append(user(f"session {session} turn {turn}: a prompt long enough to be fingerprinted, surely"))
        call(agent, in_session(f"s{session}"), conversation)
        conversation.append(assistant(f"session {session} turn {turn}: a reply long enough to be fingerprinted too"))
    assert len(agent.tracker.ledger) == 2000  # of 40,000 fingerprints
    assert len(agent.tracker.sessions) == 50  # of 100 sessions
    for session in range(50, 100):
        state = agent.tracker.sessions.get(f"s{session}")
        assert len(state) == 10  # the latest request's messages, not the session's history
        assert len(state.chars_by_owner) <= 3  # standing, the current task, the previous call's task
        assert len(state.occurrences) == 40  # one per task


def test_new_tool_definitions_or_system_blocks_are_measured_again():
    agent = attributor()
    small = [{"name": "ls", "input_schema": {}}]
    system = [{"type": "text", "text": "Be exact.", "cache_control": {"type": "ephemeral"}}]
    first = call(agent, in_session("s"), [prompt("a")], tools=small, system=system)
    larger = [*small, {"name": "grep", "input_schema": {"type": "object"}}]
    longer = [{"type": "text", "text": "Be exact and brief."}]
    second = call(agent, in_session("s"), [prompt("a")], tools=larger, system=longer)
    growth = len(',{"input_schema":{"type":"object"},"name":"grep"}') + len(" and brief")
    assert second.context.total_chars - first.context.total_chars == growth
