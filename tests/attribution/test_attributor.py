"""A call's attribution: what the context layer says wins, the request fills in the rest."""

from __future__ import annotations

import threading

from otel_agentcost import attributes as attr
from otel_agentcost.attribution import CallAttributor, CallRequest
from tests.attribution.scenario import HEARTBEAT, SYSTEM, in_session, layers, prompt, reply

HEADERS = ({"x-session-key": "agent:main:main"},)


def test_an_explicit_trigger_wins_over_the_patterns():
    agent = CallAttributor()
    request = CallRequest(messages=[HEARTBEAT])
    assert agent.attribute(layers(context={attr.TRIGGER: "schedule"}), request).attributes[attr.TRIGGER] == "schedule"
    assert agent.attribute(layers(env={attr.TRIGGER: "reactive"}), request).attributes[attr.TRIGGER] == "reactive"
    assert agent.attribute(layers(), request).attributes[attr.TRIGGER] == "heartbeat"


def test_a_session_from_the_request_is_also_the_conversation_id():
    values = CallAttributor().attribute(layers(), CallRequest(messages=[prompt("a")], headers=HEADERS)).attributes
    assert values[attr.SESSION_ID] == values[attr.GEN_AI_CONVERSATION_ID] == "agent:main:main"


def test_the_context_layers_other_attributes_pass_through():
    agent = CallAttributor()
    given = layers(context={attr.AGENT_ROLE: "pm", attr.LANE: "pm-trivial"}, env={attr.GEN_AI_AGENT_NAME: "pm-1"})
    values = agent.attribute(given, CallRequest(messages=[prompt("a")], headers=HEADERS)).attributes
    assert (values[attr.AGENT_ROLE], values[attr.LANE], values[attr.GEN_AI_AGENT_NAME]) == ("pm", "pm-trivial", "pm-1")


def test_without_a_session_a_call_gets_its_trigger_but_no_task_or_context():
    result = CallAttributor().attribute(layers(), CallRequest(messages=[SYSTEM, HEARTBEAT]))
    assert result.attributes == {attr.TRIGGER: "heartbeat"}
    assert result.context is None


def test_a_call_without_messages_gets_its_session_only():
    result = CallAttributor().attribute(layers(), CallRequest(headers=HEADERS))
    assert result.attributes == {attr.SESSION_ID: "agent:main:main", attr.GEN_AI_CONVERSATION_ID: "agent:main:main"}
    assert result.context is None
    assert CallAttributor().scope_attributes(in_session("s")) == {
        attr.SESSION_ID: "s",
        attr.GEN_AI_CONVERSATION_ID: "s",
    }


def test_concurrent_calls_of_one_session_keep_its_records_consistent():
    agent = CallAttributor()

    def run(worker: int) -> None:
        for turn in range(200):
            messages = [SYSTEM, prompt(f"w{worker}"), reply(f"w{worker}"), prompt(f"w{worker} t{turn % 7}")]
            agent.attribute(in_session("shared"), CallRequest(messages=messages))

    threads = [threading.Thread(target=run, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = agent.tracker.sessions.get("shared")
    assert len(records) == 4
    assert sum(records.chars_by_owner.values()) == sum(records.sizes)
