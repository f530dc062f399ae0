"""Heartbeats and user prompts are recognised from the prompt a call answers, and from a system prompt's first line."""

from __future__ import annotations

from otel_agentcost.attribution.requests import CallRequest
from otel_agentcost.attribution.settings import AttributionSettings
from otel_agentcost.attribution.triggers import TriggerDetector

DETECTOR = TriggerDetector(AttributionSettings())
# An agent whose every prompt with text comes from a person: it says so with a pattern that matches any text.
PEOPLE_ONLY = TriggerDetector(AttributionSettings.from_env({"AGENTCOST_USER_PATTERNS": r"\S"}))
# A standing prompt that talks about heartbeats, as agent frameworks' system prompts do, on every call.
SYSTEM = "You are the ops agent.\n## Heartbeats\nWhen you get a heartbeat poll, read HEARTBEAT.md; reply HEARTBEAT_OK."


def detect(*messages, system=None, detector=DETECTOR):
    return detector.detect(CallRequest(messages=list(messages), system=system))


def user(text):
    return {"role": "user", "content": text}


def test_a_prompt_starting_with_heartbeat_checks_is_a_heartbeat():
    assert detect(user("# Heartbeat Checks\n- inbox\n- calendar")) == "heartbeat"
    assert detect(user("  ## Heartbeat Checks due"), system="You are the ops agent.") == "heartbeat"


def test_by_default_a_prompt_without_a_marker_has_no_trigger():
    """Left untagged rather than called `user`, so a call that recurs on a schedule can still be suspected of being a
    heartbeat by its rhythm (dashboards/heartbeat_suspected.sql)."""
    assert detect(user("Check the deploy queue"), system=SYSTEM) is None
    assert detect(user("Check the deploy queue"), system=SYSTEM, detector=PEOPLE_ONLY) == "user"


def test_the_heartbeat_marker_anywhere_in_the_prompt_is_a_heartbeat():
    openclaw = "Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. Reply HEARTBEAT_OK if idle."
    assert detect({"role": "system", "content": SYSTEM}, user(openclaw)) == "heartbeat"


def test_a_system_prompt_is_a_heartbeat_only_by_its_first_line():
    assert detect(user("Deploy the release"), system=SYSTEM, detector=PEOPLE_ONLY) == "user"
    assert detect(user("go"), system="# Heartbeat Checks\n- queue depth") == "heartbeat"
    first = {"role": "system", "content": [{"type": "text", "text": "# Heartbeat Checks\n- queue"}]}
    assert detect(first, user("go")) == "heartbeat"


def test_a_tool_loop_keeps_the_trigger_of_the_prompt_that_started_it():
    anthropic_loop = [
        user("# Heartbeat Checks\n- inbox"),
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "read", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "2 new mails"}]},
    ]
    assert detect(*anthropic_loop) == "heartbeat"
    openai_loop = [
        user("Summarise the inbox"),
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function"}]},
        {"role": "tool", "tool_call_id": "c1", "content": "# Heartbeat Checks inside a file"},
    ]
    assert detect(*openai_loop, detector=PEOPLE_ONLY) == "user"


def test_user_patterns_decide_which_prompts_are_users_and_no_prompt_means_no_trigger():
    only_telegram = TriggerDetector(AttributionSettings.from_env({"AGENTCOST_USER_PATTERNS": r"^\[Telegram"}))
    assert detect(user("[Telegram @ana] ship it"), detector=only_telegram) == "user"
    assert detect(user("[cron] nightly report"), detector=only_telegram) is None
    assert detect({"role": "assistant", "content": "hello"}) is None
    assert detect() is None


def test_heartbeat_patterns_can_be_replaced():
    variables = {"AGENTCOST_HEARTBEAT_PATTERNS": '["^\\\\[tick\\\\]"]', "AGENTCOST_USER_PATTERNS": r"\S"}
    custom = TriggerDetector(AttributionSettings.from_env(variables))
    assert detect(user("[tick] anything?"), detector=custom) == "heartbeat"
    assert detect(user("# Heartbeat Checks"), detector=custom) == "user"
