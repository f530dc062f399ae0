"""providers: the endpoint of every call, read cheaply from the SDK clients as they are today."""

from __future__ import annotations

import anthropic
import openai
import pytest

from otel_agentcost.instrumentation.providers import base_url_of, endpoint, provider_for


def _refusing_property(*_):
    raise AssertionError("the base_url property was read")


@pytest.mark.parametrize(
    "client",
    [
        openai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:8080/v1"),
        anthropic.Anthropic(api_key="sk-ant-test", base_url="http://127.0.0.1:8081"),
    ],
    ids=["openai", "anthropic"],
)
def test_the_base_url_is_read_from_the_clients_field_not_its_property(client, monkeypatch):
    """openai 3's property imports a module on every read; an SDK that renames the field fails here, not silently
    slower."""
    expected = client.base_url
    monkeypatch.setattr(type(client), "base_url", property(_refusing_property))
    assert base_url_of(client) == expected


def test_a_client_without_the_field_falls_back_to_its_property():
    class Client:
        base_url = "https://api.example.com/v1"

    assert base_url_of(Client()) == "https://api.example.com/v1"


def test_known_hosts_name_their_provider_and_others_name_themselves():
    client = openai.OpenAI(api_key="sk-test", base_url="https://my-gateway.internal:8443/v1")
    host, port = endpoint(base_url_of(client))
    assert (host, port) == ("my-gateway.internal", 8443)
    assert provider_for(host, port, default="openai") == "my-gateway.internal"
    assert provider_for("api.anthropic.com", 443, default="openai") == "anthropic"
