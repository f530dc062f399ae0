"""AGENTCOST_* variables configure attribution once; a bad value is named with its fix, and never stops the agent."""

from __future__ import annotations

import logging

import pytest

from otel_agentcost.attribution.settings import AttributionSettings, SettingsError


def test_without_variables_every_default_applies():
    settings = AttributionSettings.from_env({})
    assert settings == AttributionSettings()
    assert settings.session_sources == ("context", "baggage", "env", "headers", "metadata", "conversation")
    assert settings.session_headers == ("x-session-key", "x-session-id")
    assert settings.detect_tasks is True


def test_names_lists_are_comma_separated_and_header_names_case_insensitive():
    settings = AttributionSettings.from_env(
        {
            "AGENTCOST_SESSION_SOURCES": "headers, context",
            "AGENTCOST_SESSION_HEADERS": "X-Gateway-Session, x-session-key",
            "AGENTCOST_SESSION_METADATA_KEYS": "thread",
        }
    )
    assert settings.session_sources == ("headers", "context")
    assert settings.session_headers == ("x-gateway-session", "x-session-key")
    assert settings.session_metadata_keys == ("thread",)


def test_patterns_are_one_regex_or_a_json_array_and_empty_turns_them_off():
    one = AttributionSettings.from_env({"AGENTCOST_HEARTBEAT_PATTERNS": r"^\[tick\]|keepalive"})
    assert [p.pattern for p in one.heartbeat_patterns] == [r"^\[tick\]|keepalive"]
    many = AttributionSettings.from_env({"AGENTCOST_USER_PATTERNS": '["^\\\\[telegram", "^\\\\[slack"]'})
    assert [p.pattern for p in many.user_patterns] == [r"^\[telegram", r"^\[slack"]
    off = AttributionSettings.from_env({"AGENTCOST_TASK_RESET_PATTERNS": ""})
    assert off.reset_patterns == ()


def test_numbers_and_flags_are_read():
    settings = AttributionSettings.from_env(
        {
            "AGENTCOST_DETECT_TASKS": "false",
            "AGENTCOST_FINGERPRINT_MIN_CHARS": "0",
            "AGENTCOST_LEDGER_SIZE": "500",
            "AGENTCOST_LEDGER_SESSIONS": "20",
            "AGENTCOST_FINGERPRINTS_PER_SPAN": "4",
        }
    )
    assert (settings.detect_tasks, settings.fingerprint_min_chars) == (False, 0)
    assert (settings.ledger_size, settings.ledger_sessions, settings.fingerprints_per_span) == (500, 20, 4)


def test_every_bad_variable_is_named_with_what_to_write_instead():
    with pytest.raises(SettingsError) as raised:
        AttributionSettings.from_env(
            {
                "AGENTCOST_SESSION_SOURCES": "headers,cookies",
                "AGENTCOST_HEARTBEAT_PATTERNS": "(unclosed",
                "AGENTCOST_USER_PATTERNS": "[1, 2]",
                "AGENTCOST_DETECT_TASKS": "maybe",
                "AGENTCOST_LEDGER_SIZE": "0",
                "AGENTCOST_SESSION_HEADERS": "x-a,,x-b",
            }
        )
    message = str(raised.value)
    assert "AGENTCOST_SESSION_SOURCES names unknown sources ['cookies']; choose from context, baggage" in message
    assert "AGENTCOST_HEARTBEAT_PATTERNS has an invalid regular expression '(unclosed'" in message
    assert "AGENTCOST_USER_PATTERNS must be a JSON array of strings" in message
    assert "AGENTCOST_DETECT_TASKS must be true or false, got 'maybe'" in message
    assert "AGENTCOST_LEDGER_SIZE must be at least 1, got 0" in message
    assert "AGENTCOST_SESSION_HEADERS has an empty name" in message


def test_load_logs_a_bad_variable_and_keeps_its_default_and_the_good_ones(caplog):
    with caplog.at_level(logging.ERROR, logger="otel_agentcost.attribution.settings"):
        settings = AttributionSettings.load(
            {"AGENTCOST_HEARTBEAT_PATTERNS": "(unclosed", "AGENTCOST_SESSION_HEADERS": "x-gateway-session"}
        )
    assert settings.heartbeat_patterns == AttributionSettings().heartbeat_patterns
    assert settings.session_headers == ("x-gateway-session",)
    assert "AGENTCOST_HEARTBEAT_PATTERNS has an invalid regular expression" in caplog.text
    assert "using its default" in caplog.text
