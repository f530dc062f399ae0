"""The compose stack: it parses, every file it mounts or builds from exists, the services agree with each other
(collector config path, store URL, Grafana provisioning paths, environment variables), and Grafana is provisioned
with the grafana-clickhouse-datasource plugin and the repository's dashboards/grafana folder.

Docker cannot run here; these checks cover what compose and Grafana would read.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from otel_agentcost.store import parse_store_url

REPO = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO / "collector-config"
PLUGIN_ID = "grafana-clickhouse-datasource"
DATASOURCE_UID = "agentcost-clickhouse"
_COMPOSE_VARIABLE = re.compile(r"\$\{([A-Z_]+)(?::([-?])([^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((CONFIG_DIR / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, Any]:
    return compose["services"]


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Bind mounts of a service as {container path: host path resolved against collector-config/}."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            mounts[target] = str((CONFIG_DIR / source).resolve())
    return mounts


def _interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} substitution."""

    def value(match: re.Match[str]) -> str:
        name, kind, default = match.groups()
        if name in env:
            return env[name]
        assert kind == "-", f"${{{name}}} has no value and no default"
        return default

    return _COMPOSE_VARIABLE.sub(value, text)


def _env_example() -> dict[str, str]:
    lines = (CONFIG_DIR / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _provisioning(*parts: str) -> dict[str, Any]:
    return yaml.safe_load(CONFIG_DIR.joinpath("grafana", "provisioning", *parts).read_text())


def test_the_stack_has_clickhouse_the_contrib_collector_grafana_and_a_one_shot_db_init(services):
    images = {name: service.get("image", "") for name, service in services.items()}
    assert images["clickhouse"].startswith("clickhouse/clickhouse-server:")
    assert images["otel-collector"].startswith("otel/opentelemetry-collector-contrib:")
    assert images["grafana"].startswith("grafana/grafana:")
    assert all(not image.endswith(":latest") for image in images.values())
    assert services["db-init"]["restart"] == "no"


def test_every_mounted_file_exists_except_the_dashboards_folder_which_is_the_repositorys(services):
    dashboards = str(REPO / "dashboards" / "grafana")
    for name, service in services.items():
        for target, source in _mounts(service).items():
            assert source == dashboards or Path(source).exists(), f"{name}: {source} -> {target}"
    assert dashboards in _mounts(services["grafana"]).values()


def test_db_init_is_built_from_this_repository_and_runs_once_clickhouse_is_healthy(services):
    db_init = services["db-init"]
    context = (CONFIG_DIR / db_init["build"]["context"]).resolve()
    assert context == REPO
    assert (context / db_init["build"]["dockerfile"]).is_file()
    assert (context / "pyproject.toml").is_file()
    assert db_init["command"] == ["db", "init"]
    assert db_init["depends_on"] == {"clickhouse": {"condition": "service_healthy"}}


def test_db_init_store_url_reaches_the_clickhouse_service_http_port_and_the_otel_database(services):
    env = _env_example()
    store = parse_store_url(_interpolate(services["db-init"]["environment"]["AGENTCOST_STORE"], env))
    assert (store.scheme, store.host, store.port, store.database) == ("http", "clickhouse", 8123, "otel")
    assert (store.username, store.password) == (env["CLICKHOUSE_USER"], env["CLICKHOUSE_PASSWORD"])


def test_the_collector_loads_the_mounted_config_and_gets_every_variable_it_references(services):
    collector = services["otel-collector"]
    (config_arg,) = collector["command"]
    config_path = config_arg.removeprefix("--config=")
    assert _mounts(collector)[config_path] == str(CONFIG_DIR / "otel-collector.yaml")
    referenced = set(re.findall(r"\$\{env:([A-Z_]+)\}", (CONFIG_DIR / "otel-collector.yaml").read_text()))
    assert referenced <= set(collector["environment"])


def test_the_collector_and_clickhouse_agree_on_credentials_and_address(services):
    collector_env = services["otel-collector"]["environment"]
    clickhouse_env = services["clickhouse"]["environment"]
    assert collector_env["CLICKHOUSE_ENDPOINT"] == "tcp://clickhouse:9000"
    assert collector_env["CLICKHOUSE_USER"] == clickhouse_env["CLICKHOUSE_USER"]
    assert clickhouse_env["CLICKHOUSE_DB"] == "otel"
    assert services["otel-collector"]["depends_on"]["clickhouse"]["condition"] == "service_healthy"


def test_every_required_compose_variable_is_in_the_env_example():
    text = (CONFIG_DIR / "docker-compose.yml").read_text()
    required = {name for name, kind, _ in _COMPOSE_VARIABLE.findall(text) if kind != "-"}
    assert required <= set(_env_example())
    _interpolate(text, _env_example())  # every variable resolves


def test_grafana_installs_the_clickhouse_plugin_and_starts_after_db_init(services):
    grafana = services["grafana"]
    plugins = grafana["environment"].get("GF_PLUGINS_PREINSTALL") or grafana["environment"]["GF_INSTALL_PLUGINS"]
    assert PLUGIN_ID in plugins.split(",")
    assert grafana["depends_on"] == {"db-init": {"condition": "service_completed_successfully"}}
    assert _mounts(grafana)["/etc/grafana/provisioning"] == str(CONFIG_DIR / "grafana" / "provisioning")


def test_the_dashboards_provider_reads_the_folder_mounted_from_dashboards_grafana(services):
    (provider,) = _provisioning("dashboards", "otel-agentcost.yaml")["providers"]
    assert provider["type"] == "file"
    mounted_from = _mounts(services["grafana"])[provider["options"]["path"]]
    assert mounted_from == str(REPO / "dashboards" / "grafana")


def test_the_datasource_uses_the_clickhouse_plugin_against_the_clickhouse_service(services):
    (datasource,) = _provisioning("datasources", "clickhouse.yaml")["datasources"]
    settings = datasource["jsonData"]
    assert (datasource["type"], datasource["uid"]) == (PLUGIN_ID, DATASOURCE_UID)
    assert (settings["host"], settings["port"], settings["protocol"]) == ("clickhouse", 9000, "native")
    assert settings["defaultDatabase"] == "otel"
    assert settings["traces"]["defaultTable"] == "otel_traces"
    assert settings["username"] == "$CLICKHOUSE_USER"
    assert datasource["secureJsonData"]["password"] == "$CLICKHOUSE_PASSWORD"
    assert {"CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD"} <= set(services["grafana"]["environment"])


def test_every_dashboard_in_the_repository_queries_the_provisioned_datasource():
    for path in sorted((REPO / "dashboards" / "grafana").glob("*.json")):
        text = path.read_text()
        json.loads(text)
        uids = set(re.findall(r'"datasource"\s*:\s*\{[^}]*"uid"\s*:\s*"([^"]+)"', text))
        assert uids <= {DATASOURCE_UID, "${datasource}", "$datasource", "-- Grafana --", "grafana"}, path.name
