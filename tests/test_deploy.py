"""Static checks of the monitoring deployment: Prometheus config and alerting rules, Grafana
provisioning and dashboards, and how docker-compose.yml wires them (no Docker engine needed).

Every metric that a rule or a dashboard queries must be one that newsmon exports (the list
below, kept in step with README "Metrics" and services/core/metrics.py), so a renamed metric
cannot leave an alert that never fires or a panel that stays empty. Where `promtool` is on the
PATH, the rules, the dashboards' queries and the alerts' behaviour are checked by it as well.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read the deploy files")

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
PROMETHEUS_CONFIG = REPO / "deploy/prometheus/prometheus.yml"
ALERT_RULES = REPO / "deploy/prometheus/alerts.yml"
GRAFANA = REPO / "deploy/grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
DATASOURCE_UID = "prometheus"

# Every metric newsmon exports, with its type (histograms also expose _bucket/_sum/_count).
DOCUMENTED_METRICS = {
    # worker (job "worker", port 9101)
    "newsmon_articles_received_total": "counter",
    "newsmon_articles_processed_total": "counter",
    "newsmon_articles_duplicate_total": "counter",
    "newsmon_articles_republished_total": "counter",
    "newsmon_articles_deadlettered_total": "counter",
    "newsmon_processing_duration_seconds": "histogram",
    "newsmon_model_batch_duration_seconds": "histogram",
    "newsmon_model_batch_sentences": "histogram",
    "newsmon_coder_restarts_total": "counter",
    "newsmon_end_to_end_latency_seconds": "histogram",
    "newsmon_store_retries_total": "counter",
    "newsmon_store_stalled": "gauge",
    "newsmon_events_coded_total": "counter",
    "newsmon_signals_total": "counter",
    "newsmon_pairs_tracked": "gauge",
    "newsmon_consumer_lag_messages": "gauge",
    "newsmon_input_waiting_records": "gauge",
    # API (job "api", port 8000)
    "newsmon_api_requests_total": "counter",
    "newsmon_api_request_duration_seconds": "histogram",
    "newsmon_api_articles_accepted_total": "counter",
    "newsmon_api_articles_rejected_total": "counter",
    # alerts: worker and delivery worker (job "deliver", port 9102)
    "newsmon_alerts_matched_total": "counter",
    "newsmon_alerts_rate_limited_total": "counter",
    "newsmon_webhooks_delivered_total": "counter",
    "newsmon_webhooks_failed_total": "counter",
    "newsmon_webhook_retries_total": "counter",
    "newsmon_webhooks_deadlettered_total": "counter",
    "newsmon_webhook_delivery_seconds": "histogram",
}
METRIC_NAME = re.compile(r"newsmon_[a-z_]+")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")

# The alerts the stack must define, and the metrics each dashboard must chart.
REQUIRED_ALERTS = {
    "NewsmonWorkerDown",
    "NewsmonApiDown",
    "NewsmonDeliveryDown",
    "NewsmonConsumerLagHigh",
    "NewsmonDeadLettersRising",
    "NewsmonEndToEndLatencyHigh",
    "NewsmonRedisStalled",
    "NewsmonCoderRestarting",
    "NewsmonWebhooksFailing",
    "NewsmonWebhookDeadLetters",
}
SEVERITIES = {"critical", "warning", "info"}
DURATION = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")
DASHBOARD_METRICS = {
    "pipeline.json": {
        "newsmon_articles_received_total",
        "newsmon_articles_processed_total",
        "newsmon_articles_republished_total",
        "newsmon_articles_deadlettered_total",
        "newsmon_end_to_end_latency_seconds",
        "newsmon_processing_duration_seconds",
        "newsmon_model_batch_duration_seconds",
        "newsmon_model_batch_sentences",
        "newsmon_consumer_lag_messages",
        "newsmon_store_stalled",
        "newsmon_api_requests_total",
        "newsmon_api_request_duration_seconds",
    },
    "intelligence.json": {
        "newsmon_events_coded_total",
        "newsmon_signals_total",
        "newsmon_pairs_tracked",
        "newsmon_alerts_matched_total",
        "newsmon_webhooks_delivered_total",
        "newsmon_webhooks_failed_total",
        "newsmon_webhooks_deadlettered_total",
        "newsmon_webhook_delivery_seconds",
    },
}
# Secrets in docker-compose.yml: only ever as ${VAR:?message}.
COMPOSE_SECRETS = ("REDIS_PASSWORD", "NEWSMON_ADMIN_API_KEY", "GRAFANA_ADMIN_PASSWORD")


def _load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return _load_yaml(COMPOSE_FILE)


@pytest.fixture(scope="module")
def prometheus_config() -> dict:
    config = _load_yaml(PROMETHEUS_CONFIG)
    assert isinstance(config, dict) and config.get("scrape_configs"), "no scrape_configs"
    return config


@pytest.fixture(scope="module")
def alert_rules() -> list[dict]:
    data = _load_yaml(ALERT_RULES)
    assert isinstance(data, dict) and isinstance(data.get("groups"), list), "alerts.yml: groups"
    rules = []
    for group in data["groups"]:
        assert group.get("name") and isinstance(group.get("rules"), list), group
        rules.extend(group["rules"])
    return rules


def _dashboard(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _panels(panels: list[dict]) -> list[dict]:
    """All panels, those nested in collapsed rows included."""
    found = []
    for panel in panels:
        found.append(panel)
        found.extend(_panels(panel.get("panels", [])))
    return found


def _dashboard_exprs(dashboard: dict) -> list[str]:
    return [
        target["expr"]
        for panel in _panels(dashboard.get("panels", []))
        for target in panel.get("targets", [])
        if target.get("expr")
    ]


def _mounts(service: dict) -> dict[str, str]:
    """Short-syntax volume mounts of a service: host path -> container path."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target, *_ = str(volume).split(":")
        mounts[source] = target
    return mounts


def _job_targets(job: dict) -> set[str]:
    """host:port of a scrape job's static targets and DNS-discovered (A record) names."""
    targets = {t for static in job.get("static_configs", []) for t in static.get("targets", [])}
    for dns in job.get("dns_sd_configs", []):
        assert dns.get("type", "SRV") == "A" and dns.get("port"), f"{job['job_name']}: A + port"
        targets |= {f"{name}:{dns['port']}" for name in dns["names"]}
    return targets


def _jobs(config: dict) -> dict[str, dict]:
    return {job["job_name"]: job for job in config["scrape_configs"]}


# --- Prometheus --------------------------------------------------------------------------


def test_prometheus_scrapes_every_newsmon_process(compose: dict, prometheus_config: dict) -> None:
    jobs = _jobs(prometheus_config)
    services = compose["services"]
    worker_port = services["worker"]["environment"]["NEWSMON_WORKER_METRICS_PORT"]
    deliver_port = services["deliver"]["environment"]["NEWSMON_DELIVER_METRICS_PORT"]
    api_command = [str(word) for word in services["api"]["command"]]
    api_port = api_command[api_command.index("--port") + 1]
    expected = {
        "worker": f"worker:{worker_port}",
        "api": f"api:{api_port}",
        "deliver": f"deliver:{deliver_port}",
    }
    assert expected == {"worker": "worker:9101", "api": "api:8000", "deliver": "deliver:9102"}
    for job, target in expected.items():
        assert job in jobs, f"no scrape job {job!r} (jobs: {sorted(jobs)})"
        assert _job_targets(jobs[job]) == {target}, f"job {job}: expected {target}"
        assert jobs[job].get("metrics_path", "/metrics") == "/metrics"


def test_scaled_worker_replicas_are_scraped_one_by_one(
    compose: dict, prometheus_config: dict
) -> None:
    # A static `worker:9101` resolves to one replica per scrape: counters of different
    # replicas would alternate under one series. DNS discovery gives each replica a target.
    replicas = compose["services"]["worker"].get("deploy", {}).get("replicas", 1)
    if replicas > 1:
        job = _jobs(prometheus_config)["worker"]
        assert not job.get("static_configs"), "scaled worker: use dns_sd_configs, not static"
        assert any("worker" in dns["names"] for dns in job.get("dns_sd_configs", []))


def test_prometheus_loads_the_mounted_rule_files(compose: dict, prometheus_config: dict) -> None:
    rule_files = prometheus_config.get("rule_files")
    assert rule_files == ["/etc/prometheus/alerts.yml"]
    mounts = _mounts(compose["services"]["prometheus"])
    assert mounts.get("./deploy/prometheus/prometheus.yml") == "/etc/prometheus/prometheus.yml"
    assert mounts.get("./deploy/prometheus/alerts.yml") == "/etc/prometheus/alerts.yml"
    for source in mounts:
        if source.startswith("./"):
            assert (REPO / source).exists(), f"prometheus mounts a missing file: {source}"


def test_alert_rules_are_complete(alert_rules: list[dict]) -> None:
    names = [rule.get("alert") for rule in alert_rules]
    assert all(names), "alerts.yml holds only alerting rules (each with `alert:`)"
    assert len(names) == len(set(names)), f"duplicate alert names: {names}"
    assert set(names) >= REQUIRED_ALERTS, f"missing alerts: {REQUIRED_ALERTS - set(names)}"
    for rule in alert_rules:
        name = rule["alert"]
        assert isinstance(rule.get("expr"), str) and rule["expr"].strip(), f"{name}: expr"
        assert DURATION.match(str(rule.get("for", ""))), f"{name}: needs a `for:` duration"
        assert rule.get("labels", {}).get("severity") in SEVERITIES, f"{name}: severity"
        annotations = rule.get("annotations", {})
        assert str(annotations.get("summary", "")).strip(), f"{name}: annotations.summary"
        assert str(annotations.get("description", "")).strip(), f"{name}: description"


def test_alerts_on_up_name_scraped_jobs(alert_rules: list[dict], prometheus_config: dict) -> None:
    jobs = set(_jobs(prometheus_config))
    for rule in alert_rules:
        for job in re.findall(r'up\{job="([^"]+)"', rule["expr"]):
            assert job in jobs, f"{rule['alert']}: job {job!r} is not scraped"


def _metric_sources() -> list[tuple[str, list[str]]]:
    rules = _load_yaml(ALERT_RULES)
    sources = [
        (f"alerts.yml:{rule.get('alert')}", [rule.get("expr", "")])
        for group in rules["groups"]
        for rule in group["rules"]
    ]
    sources += [(path.name, _dashboard_exprs(_dashboard(path))) for path in DASHBOARDS]
    return sources


def _metric_source_params() -> list:
    return [pytest.param(source, exprs, id=source) for source, exprs in _metric_sources()]


def _metric_names(exprs: list[str]) -> set[str]:
    names = set()
    for expr in exprs:
        for name in METRIC_NAME.findall(expr):
            base = name
            for suffix in HISTOGRAM_SUFFIXES:
                if name.endswith(suffix) and name[: -len(suffix)] in DOCUMENTED_METRICS:
                    base = name[: -len(suffix)]
                    assert DOCUMENTED_METRICS[base] == "histogram", f"{name}: not a histogram"
            names.add(base)
    return names


@pytest.mark.parametrize(("source", "exprs"), _metric_source_params())
def test_queries_use_documented_metrics(source: str, exprs: list[str]) -> None:
    names = _metric_names(exprs)
    # Availability alerts read Prometheus' own `up`; everything else reads newsmon metrics.
    assert names or all(re.match(r"^up\{", e.strip()) for e in exprs), f"{source}: no metric"
    unknown = names - set(DOCUMENTED_METRICS)
    assert not unknown, f"{source}: unknown metrics {sorted(unknown)}"


def test_histogram_quantiles_read_buckets() -> None:
    for source, exprs in _metric_sources():
        for expr in exprs:
            if "histogram_quantile" in expr:
                assert "_bucket" in expr and re.search(r"by \([^)]*\ble\b", expr), (
                    f"{source}: histogram_quantile needs rate(..._bucket) summed by le: {expr}"
                )


# --- Grafana -----------------------------------------------------------------------------


def test_dashboards_exist_and_chart_their_metrics() -> None:
    assert {path.name for path in DASHBOARDS} == set(DASHBOARD_METRICS)
    for path in DASHBOARDS:
        charted = _metric_names(_dashboard_exprs(_dashboard(path)))
        missing = DASHBOARD_METRICS[path.name] - charted
        assert not missing, f"{path.name} does not chart {sorted(missing)}"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_is_valid(path: Path) -> None:
    dashboard = _dashboard(path)
    assert dashboard.get("uid") and dashboard.get("title")
    assert 36 <= dashboard.get("schemaVersion", 0) <= 41
    panels = _panels(dashboard.get("panels", []))
    assert panels, f"{path.name}: no panels"
    ids = [panel.get("id") for panel in panels]
    assert all(isinstance(i, int) for i in ids), f"{path.name}: every panel needs an int id"
    assert len(ids) == len(set(ids)), f"{path.name}: duplicate panel ids"
    for panel in panels:
        where = f"{path.name} panel {panel['id']} ({panel.get('title')!r})"
        grid = panel.get("gridPos", {})
        assert grid.get("x", 0) + grid.get("w", 0) <= 24, f"{where}: wider than the grid"
        if panel.get("type") == "row":
            continue
        assert panel.get("type") == "timeseries", f"{where}: use timeseries panels"
        assert panel.get("title"), f"{where}: title"
        assert panel.get("datasource", {}).get("uid") == DATASOURCE_UID, f"{where}: datasource"
        assert panel.get("fieldConfig", {}).get("defaults", {}).get("unit"), f"{where}: unit"
        targets = panel.get("targets", [])
        assert targets, f"{where}: no targets"
        ref_ids = [target.get("refId") for target in targets]
        assert len(ref_ids) == len(set(ref_ids)), f"{where}: duplicate refIds"
        for target in targets:
            assert target.get("datasource", {}).get("uid") == DATASOURCE_UID, f"{where}: target"
            assert str(target.get("expr", "")).strip(), f"{where}: target without expr"


def test_dashboard_uids_are_unique() -> None:
    uids = [_dashboard(path)["uid"] for path in DASHBOARDS]
    assert len(uids) == len(set(uids))


def test_grafana_provisioning_matches_compose_mounts(compose: dict) -> None:
    grafana = compose["services"]["grafana"]
    assert str(grafana["image"]).startswith("grafana/grafana")
    volumes = [str(v) for v in grafana.get("volumes", [])]
    mounts = _mounts(grafana)
    for source in ("./deploy/grafana/provisioning", "./deploy/grafana/dashboards"):
        assert source in mounts, f"grafana does not mount {source}"
        assert (REPO / source).is_dir()
        assert any(v.startswith(f"{source}:") and v.endswith(":ro") for v in volumes), (
            f"{source} must be mounted read-only"
        )
    provisioning = REPO / "deploy/grafana/provisioning"
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"

    datasources = _load_yaml(provisioning / "datasources/prometheus.yml")["datasources"]
    prometheus = [ds for ds in datasources if ds.get("uid") == DATASOURCE_UID]
    assert len(prometheus) == 1, "exactly one datasource with uid `prometheus`"
    assert prometheus[0]["type"] == "prometheus"
    assert prometheus[0]["url"] == "http://prometheus:9090"
    assert "9090:9090" in [str(p) for p in compose["services"]["prometheus"]["ports"]]

    providers = _load_yaml(provisioning / "dashboards/newsmon.yml")["providers"]
    paths = {provider["options"]["path"] for provider in providers if provider["type"] == "file"}
    assert paths == {"/var/lib/grafana/dashboards"}
    assert mounts["./deploy/grafana/dashboards"] in paths

    assert grafana["depends_on"]["prometheus"]["condition"] == "service_healthy"
    assert "/api/health" in " ".join(map(str, grafana["healthcheck"]["test"]))
    assert "3000:3000" in [str(p) for p in grafana["ports"]]


# --- docker-compose.yml ------------------------------------------------------------------


def _values(node) -> list[str]:
    """Every string value in the parsed compose file (keys, such as env var names, left out)."""
    if isinstance(node, dict):
        return [s for v in node.values() for s in _values(v)]
    if isinstance(node, list):
        return [s for item in node for s in _values(item)]
    return [node] if isinstance(node, str) else []


@pytest.mark.parametrize("secret", COMPOSE_SECRETS)
def test_compose_secret_only_in_required_form(compose: dict, secret: str) -> None:
    required = re.compile(r"\$\{" + secret + r":\?[^}]+\}")
    strings = _values(compose)
    assert any(required.search(s) for s in strings), f"{secret} is not used"
    for value in strings:
        assert secret not in required.sub("", value), (
            f"{secret} must only appear as ${{{secret}:?message}}: {value!r}"
        )


def test_compose_passes_secrets_to_their_services(compose: dict) -> None:
    services = compose["services"]
    secret_key = re.compile(r"(PASSWORD|SECRET|TOKEN|API_KEY)$")
    for name, service in services.items():
        env = service.get("environment", {})
        assert isinstance(env, dict), f"{name}: use the mapping form of environment"
        for key, value in env.items():
            if secret_key.search(key):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", str(value)), (
                    f"{name}: {key} must be set from a required variable, got {value!r}"
                )
    assert services["api"]["environment"]["NEWSMON_ADMIN_API_KEY"].startswith(
        "${NEWSMON_ADMIN_API_KEY:?"
    )
    assert services["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"].startswith(
        "${GRAFANA_ADMIN_PASSWORD:?"
    )
    # The api's own environment still carries the shared newsmon settings (YAML merge).
    assert services["api"]["environment"]["REDIS_URL"].startswith("redis://:${REDIS_PASSWORD:?")


def test_worker_scales_without_fixed_names_or_ports(compose: dict) -> None:
    worker = compose["services"]["worker"]
    assert worker.get("deploy", {}).get("replicas", 1) >= 2
    assert "container_name" not in worker, "a fixed container_name prevents replicas"
    assert "ports" not in worker, "fixed host ports prevent replicas"


def test_deliver_service(compose: dict) -> None:
    deliver = compose["services"]["deliver"]
    assert deliver["command"] == ["deliver"]
    env = deliver["environment"]
    assert env["NEWSMON_DELIVER_METRICS_HOST"] == "0.0.0.0"
    assert str(env["NEWSMON_DELIVER_METRICS_PORT"]) == "9102"
    assert env["REDIS_URL"] == compose["services"]["worker"]["environment"]["REDIS_URL"]
    assert deliver["depends_on"] == {"redis": {"condition": "service_healthy"}}
    assert "http://127.0.0.1:9102/metrics" in " ".join(map(str, deliver["healthcheck"]["test"]))


# --- promtool (where installed) -----------------------------------------------------------

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed")


def _promtool(*args: str, cwd: Path) -> None:
    result = subprocess.run(
        [PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_promtool_accepts_config_and_rules(tmp_path: Path, prometheus_config: dict) -> None:
    _promtool("check", "rules", str(ALERT_RULES), cwd=tmp_path)
    config = copy.deepcopy(prometheus_config)
    shutil.copy(ALERT_RULES, tmp_path / "alerts.yml")
    config["rule_files"] = ["alerts.yml"]  # the container path does not exist here
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _promtool("check", "config", "prometheus.yml", cwd=tmp_path)


@needs_promtool
def test_promtool_parses_dashboard_queries(tmp_path: Path) -> None:
    # Each query as a recording rule, so promtool parses it ($__rate_interval is Grafana's).
    exprs = [expr for path in DASHBOARDS for expr in _dashboard_exprs(_dashboard(path))]
    rules = [
        {"record": f"dashboard:query_{i}", "expr": expr.replace("$__rate_interval", "1m")}
        for i, expr in enumerate(exprs)
    ]
    (tmp_path / "queries.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}), encoding="utf-8"
    )
    _promtool("check", "rules", "queries.yml", cwd=tmp_path)


def _alert_cases() -> list[dict]:
    """promtool unit tests: (input series, then when each alert should and should not fire)."""
    return [
        {  # one of two worker replicas stops answering; then every replica disappears
            "interval": "1m",
            "input_series": [
                {"series": 'up{job="worker",instance="w1:9101"}', "values": "1x4 0x10"},
                {"series": 'up{job="worker",instance="w2:9101"}', "values": "1x14"},
            ],
            "alert_rule_test": [
                {"eval_time": "5m", "alertname": "NewsmonWorkerDown", "exp_alerts": []},
                {
                    "eval_time": "8m",
                    "alertname": "NewsmonWorkerDown",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "critical",
                                "job": "worker",
                                "instance": "w1:9101",
                            }
                        }
                    ],
                },
                {
                    "eval_time": "25m",
                    "alertname": "NewsmonWorkerDown",
                    "exp_alerts": [{"exp_labels": {"severity": "critical"}}],
                },
            ],
        },
        {  # 2 of 10 articles/s dead-lettered fires; the webhook failure share is 1/3
            "interval": "1m",
            "input_series": [
                {"series": "newsmon_articles_received_total", "values": "0+600x40"},
                {
                    "series": 'newsmon_articles_deadlettered_total{reason="invalid"}',
                    "values": "0+120x40",
                },
                {"series": "newsmon_webhooks_delivered_total", "values": "0+60x40"},
                {
                    "series": 'newsmon_webhooks_failed_total{reason="timeout"}',
                    "values": "0+30x40",
                },
                {"series": "newsmon_webhooks_deadlettered_total", "values": "0x20 1x20"},
            ],
            "alert_rule_test": [
                {
                    "eval_time": "30m",
                    "alertname": "NewsmonDeadLettersRising",
                    "exp_alerts": [{"exp_labels": {"severity": "warning", "reason": "invalid"}}],
                },
                {
                    "eval_time": "30m",
                    "alertname": "NewsmonWebhooksFailing",
                    "exp_alerts": [{"exp_labels": {"severity": "warning"}}],
                },
                {"eval_time": "15m", "alertname": "NewsmonWebhookDeadLetters", "exp_alerts": []},
                {
                    "eval_time": "25m",
                    "alertname": "NewsmonWebhookDeadLetters",
                    "exp_alerts": [{"exp_labels": {"severity": "warning"}}],
                },
            ],
        },
        {  # 2 of 1000 articles/s dead-lettered (0.2 %) and 1 webhook failure in 61: quiet
            "interval": "1m",
            "input_series": [
                {"series": "newsmon_articles_received_total", "values": "0+60000x40"},
                {
                    "series": 'newsmon_articles_deadlettered_total{reason="invalid"}',
                    "values": "0+120x40",
                },
                {"series": "newsmon_webhooks_delivered_total", "values": "0+60x40"},
                {
                    "series": 'newsmon_webhooks_failed_total{reason="timeout"}',
                    "values": "0+1x40",
                },
            ],
            "alert_rule_test": [
                {"eval_time": "30m", "alertname": "NewsmonDeadLettersRising", "exp_alerts": []},
                {"eval_time": "30m", "alertname": "NewsmonWebhooksFailing", "exp_alerts": []},
            ],
        },
        {  # lag summed over replicas' partitions; latency p99 in the 10 s bucket; Redis stall
            "interval": "1m",
            "input_series": [
                {
                    "series": 'newsmon_consumer_lag_messages{topic="articles.raw",instance="a"}',
                    "values": "600x20",
                },
                {
                    "series": 'newsmon_consumer_lag_messages{topic="articles.raw",instance="b"}',
                    "values": "600x20",
                },
                {
                    "series": 'newsmon_end_to_end_latency_seconds_bucket{le="5"}',
                    "values": "0x20",
                },
                {
                    "series": 'newsmon_end_to_end_latency_seconds_bucket{le="10"}',
                    "values": "0+60x20",
                },
                {
                    "series": 'newsmon_end_to_end_latency_seconds_bucket{le="+Inf"}',
                    "values": "0+60x20",
                },
                {"series": 'newsmon_store_stalled{instance="a"}', "values": "0 0 1x10"},
            ],
            "alert_rule_test": [
                {
                    "eval_time": "10m",
                    "alertname": "NewsmonConsumerLagHigh",
                    "exp_alerts": [
                        {"exp_labels": {"severity": "warning", "topic": "articles.raw"}}
                    ],
                },
                {
                    "eval_time": "15m",
                    "alertname": "NewsmonEndToEndLatencyHigh",
                    "exp_alerts": [{"exp_labels": {"severity": "warning"}}],
                },
                {"eval_time": "2m", "alertname": "NewsmonRedisStalled", "exp_alerts": []},
                {
                    "eval_time": "4m",
                    "alertname": "NewsmonRedisStalled",
                    "exp_alerts": [{"exp_labels": {"severity": "critical", "instance": "a"}}],
                },
            ],
        },
    ]


@needs_promtool
def test_alerts_fire_when_they_should(tmp_path: Path) -> None:
    rules = _load_yaml(ALERT_RULES)
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)  # promtool compares annotations; wording is free
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    cases = {"rule_files": ["alerts.yml"], "evaluation_interval": "1m", "tests": _alert_cases()}
    (tmp_path / "alerts_test.yml").write_text(yaml.safe_dump(cases), encoding="utf-8")
    _promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
