"""The session comes from the first configured source that names one; request values that look like secrets are
recorded only as a hash."""

from __future__ import annotations

import re

import pytest

from otel_agentcost import attributes as attr
from otel_agentcost.attribution.requests import CallRequest
from otel_agentcost.attribution.sessions import hashed, looks_secret, recordable, resolve
from otel_agentcost.attribution.settings import AttributionSettings

DEFAULTS = AttributionSettings()


def layers(context=None, baggage=None, env=None):
    return {
        name: {attr.SESSION_ID: value} if value else {}
        for name, value in (("context", context), ("baggage", baggage), ("env", env))
    }


EVERYTHING = CallRequest(
    headers=({"x-session-key": "from-header"},),
    metadata={"session_id": "from-metadata"},
    conversation_id="from-conversation",
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (layers("from-code", "from-baggage", "from-env"), ("from-code", "context")),
        (layers(None, "from-baggage", "from-env"), ("from-baggage", "baggage")),
        (layers(None, None, "from-env"), ("from-env", "env")),
        (layers(), ("from-header", "headers")),
    ],
)
def test_the_default_order_is_code_baggage_environment_then_the_request(given, expected):
    assert tuple(resolve(DEFAULTS, given, EVERYTHING)) == expected


def test_request_sources_follow_in_order_headers_metadata_conversation():
    assert resolve(DEFAULTS, layers(), CallRequest(metadata={"session_id": "m"}, conversation_id="c")) == (
        "m",
        "metadata",
    )
    assert resolve(DEFAULTS, layers(), CallRequest(conversation_id="conv-7")) == ("conv-7", "conversation")
    assert resolve(DEFAULTS, layers(), CallRequest()) is None
    assert resolve(DEFAULTS, layers(), None) is None


def test_a_configured_order_replaces_the_default_one():
    settings = AttributionSettings.from_env({"AGENTCOST_SESSION_SOURCES": "headers,context"})
    assert resolve(settings, layers("from-code", env="from-env"), EVERYTHING) == ("from-header", "headers")
    assert resolve(settings, layers(env="from-env"), CallRequest()) is None  # env is not a source any more


def test_the_calls_own_header_wins_over_the_clients_default_and_names_ignore_case():
    request = CallRequest(headers=({"X-Session-Key": "client-default"}, {"x-session-key": "this-call"}))
    assert resolve(DEFAULTS, layers(), request).session_id == "this-call"
    request = CallRequest(headers=({"X-Session-Id": "by-id"}, {"x-other": "nope"}))
    assert resolve(DEFAULTS, layers(), request).session_id == "by-id"


def test_metadata_keys_come_before_other_session_fields_and_blank_values_are_skipped():
    request = CallRequest(metadata={"session_id": " ", "user_id": "u-9"}, session_fields=("cache-key", "user-1"))
    assert resolve(DEFAULTS, layers(), request).session_id == "u-9"
    request = CallRequest(metadata={"unrelated": "x"}, session_fields=(None, "user-1"))
    assert resolve(DEFAULTS, layers(), request).session_id == "user-1"


@pytest.mark.parametrize(
    "value",
    [
        "Bearer abc.def",
        "sk-proj-abcdef",
        "sk_live_123",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "a8Xk2mQ9vL4pR7tZ1wN6yB3cF5hJ0dGs",  # 32 random letters and digits
        "3f9a1c2e5b6d7a8c9d0e1f2a3b4c5d6e7f8a9b0c",  # a 40-hex token
        "user_9c2f4e8a1b7d3f6e0a5c8b2d4f7e1a3c6b9d0e2f4a7c1b3d5e8f0a2c4b6d8e1f_account_1",  # Claude Code style
        "x" * 300,
    ],
)
def test_secret_looking_values_are_recognised(value):
    assert looks_secret(value)


@pytest.mark.parametrize(
    "value",
    [
        "agent:main:main",
        "s-42",
        "550e8400-e29b-41d4-a716-446655440000",
        "myVeryLongSessionIdentifierForTheAgent",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ],
)
def test_ids_are_recorded_as_given(value):
    assert not looks_secret(value)
    assert recordable(value) == value


def test_a_secret_is_recorded_as_a_stable_short_hash_never_raw():
    request = CallRequest(headers=({"x-session-key": "Bearer sk-live-abcdef0123456789"},))
    session = resolve(DEFAULTS, layers(), request)
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", session.session_id)
    assert session.session_id == hashed("Bearer sk-live-abcdef0123456789")
    assert "abcdef0123456789" not in session.session_id


def test_explicit_sessions_are_never_hashed():
    assert resolve(DEFAULTS, layers(env="sk-looks-like-a-key"), None).session_id == "sk-looks-like-a-key"
