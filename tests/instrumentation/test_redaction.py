"""Credential-looking values are masked by kind; ordinary prose about keys, tokens and bearers is left alone."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otel_agentcost.instrumentation.redaction import redact, redact_text

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("key: sk-ant-api03-Qw8Er7Ty6Ui5Op4As3Df2", "key: [REDACTED:anthropic_key]"),
        ("OPENAI_API_KEY sk-proj-Zq3vT9xW2yB7nK4mP8rL", "OPENAI_API_KEY [REDACTED:openai_key]"),
        ("legacy sk-abcdefghijklmnopqrstuvwxyz012345", "legacy [REDACTED:openai_key]"),
        ("aws AKIAIOSFODNN7EXAMPLE ok", "aws [REDACTED:aws_access_key] ok"),
        ("session ASIAY34FZKBOKMUTVV7A", "session [REDACTED:aws_access_key]"),
        ("gh ghp_" + "a1" * 18, "gh [REDACTED:github_token]"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "[REDACTED:github_token]"),
        ("slack xoxb-1234567890-abcdefghij", "slack [REDACTED:slack_token]"),
        ("AIza" + "B" * 35, "[REDACTED:google_api_key]"),
        (f"cookie {JWT}.", "cookie [REDACTED:jwt]."),
        ("Authorization: Bearer abc.def-123456789", "Authorization: [REDACTED:authorization]"),
        ('-H "authorization: Basic dXNlcjpwYXNzd29yZA=="', '-H "authorization: [REDACTED:authorization]"'),
        ("send Bearer 9f8e7d6c5b4a39281706 then", "send Bearer [REDACTED:bearer_token] then"),
        ("api_key=abc123&next=1", "api_key=[REDACTED:secret]&next=1"),
        ("PASSWORD: hunter2", "PASSWORD: [REDACTED:secret]"),
        ('{"client_secret": "s3cr3t"}', '{"client_secret": "[REDACTED:secret]"}'),
        ("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "export AWS_SECRET_ACCESS_KEY=[REDACTED:secret]"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
            "[REDACTED:private_key]",
        ),
    ],
)
def test_each_kind_of_credential_is_masked_with_its_kind_named(text, masked):
    assert redact_text(text) == masked


@pytest.mark.parametrize(
    "prose",
    [
        "the bearer of bad news",
        "token counting drives the cost",
        "reset your password in settings",
        "an API key is needed; ask the admin",
        "task-7 and sk-short",
        "the basic plan costs less",
    ],
)
def test_ordinary_text_about_credentials_is_left_alone(prose):
    assert redact_text(prose) == prose


def test_a_structure_keeps_its_shape_and_masks_values_under_secret_named_keys():
    value = {"region": "eu", "api_key": "plain", "nested": [{"Password": 1234}, "token sk-ant-api03-abcdefgh12"]}

    assert redact(value) == {
        "region": "eu",
        "api_key": "[REDACTED:secret]",
        "nested": [{"Password": "[REDACTED:secret]"}, "token [REDACTED:anthropic_key]"],
    }


def test_redacting_json_text_keeps_it_valid_json():
    text = json.dumps({"cmd": "curl -H 'Authorization: Bearer abc123456789' -d password=x", "key": "sk-" + "z" * 30})

    assert json.loads(redact_text(text)) == {
        "cmd": "curl -H 'Authorization: [REDACTED:authorization]' -d password=[REDACTED:secret]",
        "key": "[REDACTED:openai_key]",
    }


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
secrets = st.one_of(
    st.text(_ALNUM + "_-", min_size=20, max_size=40).map(lambda tail: "sk-ant-api03-" + tail),
    st.text(_ALNUM, min_size=20, max_size=40).map(lambda tail: "sk-proj-" + tail),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=16).map(lambda tail: "AKIA" + tail),
    st.text(_ALNUM, min_size=36, max_size=40).map(lambda tail: "ghp_" + tail),
    st.text(_ALNUM, min_size=12, max_size=30).map(lambda token: f"Authorization: Bearer 7{token}"),
)
prose = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(before=prose, secret=secrets, after=prose)
def test_a_credential_never_survives_whatever_surrounds_it(before, secret, after):
    masked = redact_text(f"{before} {secret} {after}")

    assert secret.split()[-1] not in masked
    assert redact_text(masked) == masked  # masking twice changes nothing
