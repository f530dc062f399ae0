"""The collector config: contrib components only, wired pipelines, the exporter's settings, the content filter.

No collector binary can run here, so the config is checked as data: every component type against the contrib
distribution's manifest, every pipeline against the declarations, and the transform processor's OTTL statements
by evaluating the two functions they use (delete_key, delete_matching_keys) on attribute names.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

CONFIG_DIR = Path(__file__).resolve().parents[2] / "collector-config"

# Component type names checked to exist in the contrib distribution: each module is listed in
# open-telemetry/opentelemetry-collector-releases distributions/otelcol-contrib/manifest.yaml (otlpreceiver,
# memorylimiterprocessor, transformprocessor, clickhouseexporter, healthcheckextension, batchprocessor), and the
# type name is the one each component's README configures.
CONTRIB_COMPONENTS = {
    "receivers": {"otlp"},
    "processors": {"memory_limiter", "transform", "batch"},
    "exporters": {"clickhouse"},
    "extensions": {"health_check"},
}
SECTIONS = ("receivers", "processors", "exporters")

# Attribute names that carry prompt or completion content, as written by the GenAI conventions, the Anthropic SDK's
# own tracing, OpenLLMetry and OpenLIT; and names the cost dashboards need, which must survive.
CONTENT_KEYS = [
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.call.arguments",
    "gen_ai.tool.call.result",
    "gen_ai.prompt",
    "gen_ai.prompt.0.content",
    "gen_ai.prompt.3.role",
    "gen_ai.completion",
    "gen_ai.completion.0.content",
    "llm.prompts",
    "llm.prompts.0.content",
    "traceloop.entity.input",
    "traceloop.entity.output",
]
# Span events carry the GenAI conventions' content (gen_ai.content.prompt events, inference operation details).
EVENT_CONTENT_KEYS = [key for key in CONTENT_KEYS if key.startswith("gen_ai.")]
KEPT_KEYS = [
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.prompt_tokens",
    "gen_ai.usage.completion_tokens",
    "gen_ai.request.model",
    "gen_ai.prompt_caching",
    "llm.prompts_count",
    "agentcost.session.id",
    "traceloop.entity.name",
]
_STATEMENT = re.compile(r'^(delete_key|delete_matching_keys)\((span|spanevent)\.attributes, "((?:[^"\\]|\\.)*)"\)$')
_KEEP_SWITCH = re.compile(r'^"\$\{env:AGENTCOST_KEEP_CONTENT:-false\}" != "true"$')


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((CONFIG_DIR / name).read_text())


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return _load("otel-collector.yaml")


def _type(component_id: str) -> str:
    return component_id.split("/", 1)[0]


def _ottl_string(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal)


def _deleted(groups: list[dict[str, Any]], context: str, key: str) -> bool:
    """Whether the statements of `context` delete attribute `key` (delete_key matches exactly, the other a regex)."""
    for group in groups:
        for statement in group["statements"] if group["context"] == context else []:
            function, _, argument = _STATEMENT.match(statement).groups()
            target = _ottl_string(argument)
            if (function == "delete_key" and target == key) or (
                function == "delete_matching_keys" and re.search(target, key)
            ):
                return True
    return False


def test_every_component_type_is_in_the_contrib_distribution(config):
    for section in (*SECTIONS, "extensions"):
        for component_id in config.get(section, {}):
            assert _type(component_id) in CONTRIB_COMPONENTS[section], f"{section}: {component_id}"


def test_every_pipeline_uses_only_declared_components(config):
    for name, pipeline in config["service"]["pipelines"].items():
        for section in SECTIONS:
            for component_id in pipeline[section]:
                assert component_id in config[section], f"pipeline {name} uses undeclared {section} {component_id}"
    assert set(config["service"]["extensions"]) <= set(config["extensions"])


def test_every_declared_component_is_used(config):
    pipelines = config["service"]["pipelines"].values()
    for section in SECTIONS:
        used = {component_id for pipeline in pipelines for component_id in pipeline[section]}
        assert used == set(config[section]), section
    assert set(config["service"]["extensions"]) == set(config["extensions"])


def test_traces_flow_from_otlp_through_the_memory_limiter_first_to_clickhouse(config):
    traces = config["service"]["pipelines"]["traces"]
    assert traces["receivers"] == ["otlp"]
    assert traces["processors"][0] == "memory_limiter"
    assert "transform/drop_content" in traces["processors"]
    assert traces["exporters"] == ["clickhouse"]


def test_otlp_listens_on_grpc_4317_and_http_4318_on_all_interfaces_for_containers(config):
    protocols = config["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"] == "0.0.0.0:4317"
    assert protocols["http"]["endpoint"] == "0.0.0.0:4318"


def test_the_clickhouse_exporter_writes_otel_traces_with_queue_retries_and_credentials_from_the_environment(config):
    exporter = config["exporters"]["clickhouse"]
    assert (exporter["database"], exporter["traces_table_name"], exporter["create_schema"]) == (
        "otel",
        "otel_traces",
        True,
    )
    assert exporter["sending_queue"]["enabled"] is True
    assert exporter["sending_queue"]["block_on_overflow"] is True
    assert exporter["retry_on_failure"]["enabled"] is True
    assert exporter["username"] == "${env:CLICKHOUSE_USER}"
    assert exporter["password"] == "${env:CLICKHOUSE_PASSWORD}"
    assert exporter["endpoint"].startswith("${env:CLICKHOUSE_ENDPOINT")


def test_memory_limiter_sets_a_limit_and_a_check_interval(config):
    limiter = config["processors"]["memory_limiter"]
    assert limiter["check_interval"]
    assert 0 < limiter["spike_limit_percentage"] < limiter["limit_percentage"] <= 90


@pytest.mark.parametrize(("context", "keys"), [("span", CONTENT_KEYS), ("spanevent", EVENT_CONTENT_KEYS)])
def test_the_content_filter_deletes_every_content_attribute(config, context, keys):
    groups = config["processors"]["transform/drop_content"]["trace_statements"]
    assert [key for key in keys if not _deleted(groups, context, key)] == []


@pytest.mark.parametrize("context", ["span", "spanevent"])
def test_the_content_filter_keeps_token_counts_and_agentcost_attributes(config, context):
    groups = config["processors"]["transform/drop_content"]["trace_statements"]
    assert [key for key in KEPT_KEYS if _deleted(groups, context, key)] == []


def test_every_content_statement_is_a_deletion_guarded_by_the_keep_content_switch(config):
    groups = config["processors"]["transform/drop_content"]["trace_statements"]
    assert {group["context"] for group in groups} == {"span", "spanevent"}
    for group in groups:
        assert [bool(_KEEP_SWITCH.match(condition)) for condition in group["conditions"]] == [True]
        for statement in group["statements"]:
            match = _STATEMENT.match(statement)
            assert match is not None and match.group(2) == group["context"], statement


def test_dollar_signs_appear_only_in_environment_references():
    """The collector gives `$` a meaning when it loads a config; a stray one in a regex would be rewritten."""
    lines = (CONFIG_DIR / "otel-collector.yaml").read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert re.findall(r"\$(?!\{env:[A-Z_]+(?::-[^}]*)?\})", text) == []


def test_the_cluster_overlay_only_adds_the_exporters_cluster_options(config):
    overlay = _load("otel-collector.cluster.yaml")
    assert overlay == {
        "exporters": {
            "clickhouse": {
                "cluster_name": "${env:CLICKHOUSE_CLUSTER}",
                "table_engine": {"name": "ReplicatedMergeTree"},
            }
        }
    }
    assert "cluster_name" not in config["exporters"]["clickhouse"]
