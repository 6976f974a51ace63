"""The `monitoring` profile's files (deploy/monitoring/): `promtool` checks the Prometheus config
and the alert rules, and the dashboard and rules name only series core/metrics.py exports.
(tests/stack/operations/test_prometheus.py runs a real Prometheus on them against a stack.)"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from core import metrics

ROOT = Path(__file__).resolve().parents[1]
MONITORING = ROOT / "deploy" / "monitoring"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool is not installed (Debian's `prometheus` package; .ci/run installs it)"
)


def exported_series() -> set[str]:
    """Every series name the processes export: counters as `_total`; histograms' `_bucket`, `_sum`
    and `_count`."""
    names = set()
    for name in metrics.NAMES:
        metric = getattr(metrics, name)
        base = metric._name
        kind = metric._type
        if kind == "counter":
            names.add(f"{base}_total")
        elif kind == "histogram":
            names |= {f"{base}_bucket", f"{base}_sum", f"{base}_count"}
        else:
            names.add(base)
    return names


def named_series(text: str) -> set[str]:
    return set(re.findall(r"\brelaychat_[a-z_]+", text))


@needs_promtool
def test_promtool_accepts_the_alert_rules() -> None:
    assert PROMTOOL is not None
    checked = subprocess.run(
        [PROMTOOL, "check", "rules", str(MONITORING / "alerts.yml")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 4 rules found" in checked.stdout


@needs_promtool
def test_promtool_accepts_the_config_with_its_rules(tmp_path: Path) -> None:
    """The whole check (rule files read, the token's file present), on a copy whose token file is
    the test's: in the container it is the compose secret."""
    assert PROMTOOL is not None
    config = (MONITORING / "prometheus.yml").read_text()
    token = tmp_path / "metrics_token"
    token.write_text("a-token\n")
    assert config.count("credentials_file: /run/secrets/metrics_token") == 2
    (tmp_path / "prometheus.yml").write_text(config.replace("/run/secrets/metrics_token", str(token)))
    shutil.copy(MONITORING / "alerts.yml", tmp_path / "alerts.yml")
    checked = subprocess.run(
        [PROMTOOL, "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 4 rules found" in checked.stdout


def test_the_alerts_are_the_four_the_operators_need() -> None:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert alerts == {
        "RelaychatNoWorkerAlive",
        "RelaychatQueueNotDraining",
        "RelaychatErrorRateHigh",
        "RelaychatFirstTokenSlow",
    }


def test_the_rules_and_the_dashboard_name_only_exported_series() -> None:
    exported = exported_series()
    rules = named_series((MONITORING / "alerts.yml").read_text())
    dashboard = json.loads((MONITORING / "grafana" / "dashboards" / "relaychat.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    panels = named_series("\n".join(queries))
    assert rules - exported == set()
    assert panels - exported == set()
    assert {
        "relaychat_queue_jobs",
        "relaychat_answer_queue_seconds_bucket",
        "relaychat_answer_model_first_token_seconds_bucket",
        "relaychat_answer_tokens_per_second_bucket",
        "relaychat_answers_ended_total",
        "relaychat_redis_seconds_bucket",
        "relaychat_database_seconds_bucket",
    } <= panels


def test_grafana_provisions_the_dashboard_from_its_folder() -> None:
    provisioning = MONITORING / "grafana" / "provisioning"
    [provider] = yaml.safe_load((provisioning / "dashboards" / "relaychat.yml").read_text())["providers"]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"  # where compose mounts dashboards/
    dashboard = json.loads((MONITORING / "grafana" / "dashboards" / "relaychat.json").read_text())
    datasources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    [datasource] = datasources["datasources"]
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
