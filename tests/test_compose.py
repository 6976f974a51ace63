"""docker-compose.yml cannot be started here (no Docker engine): check it against the code instead."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from core.cli import build_parser
from core.settings import Settings
from tests.support.processes import REDIS_SERVER, Process, RedisServer, free_port, wait_until
from tests.support.sentinel import ask

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def dockerfile_stages() -> set[str]:
    return set(re.findall(r"^FROM \S+ AS (\w+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE))


def settings_variables() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"RELAYCHAT_{name.upper()}")
    return names


def test_compose_has_every_part(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) >= {"redis", "postgres", "model", "migrate", "api", "worker"}


def test_redis_is_7_with_aof(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:7")
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])


@pytest.mark.parametrize("service", ["model", "migrate", "api", "worker"])
def test_commands_are_relaychat_cli_commands(compose: dict[str, Any], service: str) -> None:
    command = compose["services"][service]["command"]
    assert command[0] == "relaychat"
    args = build_parser().parse_args(command[1:])  # exits (fails the test) on an unknown command or flag
    assert args.command == service


@pytest.mark.parametrize("service", ["model", "migrate", "api", "worker"])
def test_images_are_built_from_dockerfile_stages(compose: dict[str, Any], service: str) -> None:
    assert compose["services"][service]["build"]["target"] in dockerfile_stages()


def test_environment_uses_only_known_settings(compose: dict[str, Any]) -> None:
    known = settings_variables()
    for service in ("migrate", "api", "worker"):
        environment = compose["services"][service]["environment"]
        assert set(environment) <= known, set(environment) - known


def test_environment_points_at_the_compose_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    environment = services["api"]["environment"]
    assert make_url(environment["DATABASE_URL"]).host == "postgres"
    assert make_url(environment["DATABASE_URL"]).drivername == "postgresql+psycopg"
    assert environment["REDIS_URL"].startswith("redis://redis:")
    assert environment["RELAYCHAT_LOCAL_MODEL_URL"].startswith("http://model:8080/")
    assert services["worker"]["environment"] == environment == services["migrate"]["environment"]
    postgres = services["postgres"]["environment"]
    database = make_url(environment["DATABASE_URL"])
    assert (database.username, database.password, database.database) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
    )


def test_workers_scale_and_wait_for_migrations(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    assert "ports" not in worker
    assert "container_name" not in worker
    for service in ("api", "worker"):
        depends = compose["services"][service]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_the_sentinel_profile_watches_the_compose_redis_with_a_quorum(compose: dict[str, Any]) -> None:
    services = compose["services"]
    sentinels = [name for name in services if name.startswith("sentinel-")]
    assert len(sentinels) == 3
    for name in [*sentinels, "redis-replica"]:
        assert services[name]["profiles"] == ["sentinel"]
    replica = services["redis-replica"]["command"]
    assert replica[replica.index("--replicaof") + 1 : replica.index("--replicaof") + 3] == ["redis", "6379"]
    environment = services["api"]["environment"]
    assert environment["REDIS_SENTINELS"] == "${REDIS_SENTINELS:-}"  # empty unless asked for
    assert "sentinel monitor relaychat redis 6379 2" in services["sentinel-1"]["command"][2]
    assert environment["REDIS_SENTINEL_MASTER"] == "relaychat"


def test_the_sentinel_profiles_config_starts_a_real_sentinel(compose: dict[str, Any], tmp_path: Path) -> None:
    """The config the profile's Sentinels write, run by redis-server --sentinel (watching a Redis
    of the test's own in place of the compose service `redis`)."""
    server = RedisServer(tmp_path)
    port = free_port()
    script = compose["services"]["sentinel-1"]["command"][2]
    for compose_value, ours in [
        ("/tmp/sentinel.conf", str(tmp_path / "sentinel.conf")),
        ("'port 26379'", f"'port {port}'"),
        ("relaychat redis 6379", f"relaychat 127.0.0.1 {server.port}"),
        ("exec redis-server", f"exec {REDIS_SERVER}"),
    ]:
        assert compose_value in script
        script = script.replace(compose_value, ours)
    sentinel = Process("compose-sentinel", ["sh", "-c", script], {}, tmp_path)

    def watching() -> bool:  # the primary it monitors answers it: its flags are exactly "master"
        return b"flags\r\n$6\r\nmaster\r\n" in ask(("127.0.0.1", port), "SENTINEL", "masters")

    try:
        wait_until(watching, 10, "the sentinel watching the primary", sentinel)
    finally:
        sentinel.stop()
        server.stop()


def test_files_are_where_every_container_reaches_them(compose: dict[str, Any]) -> None:
    """The API stores an upload and a worker (another container) reads it: a local directory
    would need a volume shared by both; the database store needs nothing more."""
    for service in ("api", "worker"):
        environment = compose["services"][service]["environment"]
        assert environment["RELAYCHAT_FILE_STORE"] == "database", service


def test_the_monitoring_profile_runs_prometheus_and_grafana_on_files_that_exist(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    monitoring = {name for name, service in services.items() if service.get("profiles") == ["monitoring"]}
    assert monitoring == {"prometheus", "grafana"}
    for name in monitoring:
        for volume in services[name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):  # a file or folder of this repository, mounted read-only
                assert (ROOT / source).exists(), (name, source)
                assert volume.endswith(":ro"), volume
    mounted = {volume.split(":")[1] for volume in services["prometheus"]["volumes"]}
    config = yaml.safe_load((ROOT / "deploy/monitoring/prometheus.yml").read_text())
    for rules in config["rule_files"]:  # relative to the config's folder, mounted beside it
        assert f"/etc/prometheus/{rules}" in mounted
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]


def test_prometheus_reads_every_process_with_the_processes_token(compose: dict[str, Any]) -> None:
    """The token the processes check is the secret Prometheus sends; it scrapes the ports they serve."""
    services = compose["services"]
    environment = services["api"]["environment"]
    assert environment["RELAYCHAT_METRICS_TOKEN"] == "${RELAYCHAT_METRICS_TOKEN:-}"
    assert compose["secrets"]["metrics_token"] == {"environment": "RELAYCHAT_METRICS_TOKEN"}
    assert services["prometheus"]["secrets"] == ["metrics_token"]
    config = yaml.safe_load((ROOT / "deploy/monitoring/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    api_port = services["api"]["command"][services["api"]["command"].index("--port") + 1]
    expected = {"relaychat-api": ("api", int(api_port)), "relaychat-worker": ("worker", 9100)}
    for name, (service, port) in expected.items():
        job = jobs[name]
        assert job["authorization"]["credentials_file"] == "/run/secrets/metrics_token"
        [sd] = job["dns_sd_configs"]
        assert (sd["names"], sd["port"]) == ([service], port)
    assert int(environment["RELAYCHAT_METRICS_PORT"]) == 9100
    assert environment["RELAYCHAT_METRICS_HOST"] == "0.0.0.0"
    datasources = ROOT / "deploy/monitoring/grafana/provisioning/datasources/prometheus.yml"
    [datasource] = yaml.safe_load(datasources.read_text())["datasources"]
    assert datasource["url"] == "http://prometheus:9090"
