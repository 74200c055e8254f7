"""Static checks of docker-compose.yml (no Docker engine needed).

The file is validated against the Compose Specification JSON schema kept in
../shared/reference/compose/, and cross-checked against the newsmon CLI and the
Prometheus config it mounts.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read docker-compose.yml")

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
COMPOSE_SPEC = (
    Path(__file__).resolve().parents[1].parent / "shared/reference/compose/compose-spec.json"
)

# The image this project builds; services using it run `newsmon <command>`.
NEWSMON_BUILD_CONTEXTS = {".", "./"}
# One-shot services: they exit when done, so no healthcheck is expected.
ONE_SHOT_SERVICES = {"replay"}
# Variables that hold secrets and must use the required-variable form ${VAR:?message}.
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE_KEY)", re.IGNORECASE)


@pytest.fixture(scope="module")
def compose() -> dict:
    # safe_load resolves the `<<: *newsmon` merge keys.
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


def _validator_class(schema: dict):
    """The jsonschema validator for the draft the schema declares in `$schema`."""
    import jsonschema

    declared = schema.get("$schema", "")
    cls = jsonschema.validators.validator_for(schema, default=None)
    if cls is not None:
        return cls
    # The compose spec writes "https://json-schema.org/draft-07/schema" (no trailing '#'),
    # which jsonschema's registry does not recognise: map by draft name instead.
    by_draft = {
        "draft-04": jsonschema.Draft4Validator,
        "draft-06": jsonschema.Draft6Validator,
        "draft-07": jsonschema.Draft7Validator,
        "2019-09": jsonschema.Draft201909Validator,
        "2020-12": jsonschema.Draft202012Validator,
    }
    for marker, validator in by_draft.items():
        if marker in declared:
            return validator
    return jsonschema.Draft7Validator


def _uses_newsmon_image(service: dict) -> bool:
    build = service.get("build")
    if isinstance(build, str):
        return build in NEWSMON_BUILD_CONTEXTS
    if isinstance(build, dict):
        return build.get("context", ".") in NEWSMON_BUILD_CONTEXTS
    return str(service.get("image", "")).split(":")[0] == "newsmon"


def _is_group(command) -> bool:
    return isinstance(getattr(command, "commands", None), dict)


def _command_words(service: dict) -> list[str]:
    command = service.get("command")
    if command is None:
        return []
    if isinstance(command, str):
        return command.split()
    return [str(word) for word in command]


def test_compose_file_matches_compose_spec(compose: dict) -> None:
    if not COMPOSE_SPEC.is_file():
        pytest.skip(f"Compose Specification schema not found at {COMPOSE_SPEC} (shared/ is absent)")
    schema = json.loads(COMPOSE_SPEC.read_text(encoding="utf-8"))
    validator_cls = _validator_class(schema)
    validator_cls.check_schema(schema)
    errors = sorted(validator_cls(schema).iter_errors(compose), key=lambda e: list(e.path))
    messages = [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors]
    assert not messages, "docker-compose.yml violates the Compose Specification:\n" + "\n".join(
        messages
    )
    assert "version" not in compose, "the Compose Specification has no `version:` key; drop it"
    assert compose.get("services"), "no services defined"


def test_newsmon_services_run_real_cli_commands(compose: dict) -> None:
    if importlib.util.find_spec("newsmon.cli") is None:
        pytest.skip("newsmon.cli is not written yet")
    import typer.main

    cli = importlib.import_module("newsmon.cli")
    root = typer.main.get_command(cli.app)
    # Typer may vendor its own click, so test for groups by their `commands` mapping.
    assert _is_group(root), "newsmon.cli.app must be a Typer app with subcommands"

    checked = 0
    for name, service in compose["services"].items():
        if not _uses_newsmon_image(service):
            continue
        assert "entrypoint" not in service, f"{name}: keep the image's `newsmon` entrypoint"
        words = _command_words(service)
        assert words, f"{name}: a newsmon service needs a command (e.g. ['worker'])"
        # Walk the command path through groups (e.g. `ingest rss ...`).
        group = root
        path: list[str] = []
        for word in words:
            if not _is_group(group) or word.startswith("-"):
                break
            path.append(word)
            assert word in group.commands, (
                f"{name}: `newsmon {' '.join(path)}` is not a CLI command "
                f"(known: {sorted(group.commands)})"
            )
            group = group.commands[word]
        assert not _is_group(group), (
            f"{name}: `newsmon {' '.join(path)}` is a command group; name a subcommand"
        )
        checked += 1
    assert checked, "no service uses the newsmon image"


def test_dependencies_have_conditions_and_services_have_healthchecks(compose: dict) -> None:
    services = compose["services"]
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), (
            f"{name}: use the long depends_on form with a condition, not a list"
        )
        for dependency, spec in depends_on.items():
            assert dependency in services, f"{name}: depends on unknown service {dependency!r}"
            condition = (spec or {}).get("condition")
            assert condition in {"service_healthy", "service_started"}, (
                f"{name} -> {dependency}: condition must be service_healthy or service_started, "
                f"got {condition!r}"
            )
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], (
                    f"{name} waits for {dependency} to be healthy, but it has no healthcheck"
                )
        if name in ONE_SHOT_SERVICES:
            continue
        healthcheck = service.get("healthcheck")
        assert healthcheck and not healthcheck.get("disable") and healthcheck.get("test"), (
            f"{name}: long-running services need a healthcheck"
        )


def _strings(node) -> list[str]:
    """Every string scalar (keys included) in the parsed compose file; comments are not config."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(k) + _strings(v)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return [node] if isinstance(node, str) else []


REQUIRED_REDIS_PASSWORD = re.compile(r"\$\{REDIS_PASSWORD:\?[^}]+\}")
VARIABLE_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def test_secrets_use_required_variable_form(compose: dict) -> None:
    strings = _strings(compose)
    assert any(REQUIRED_REDIS_PASSWORD.search(s) for s in strings), (
        "REDIS_PASSWORD is not used; Redis must require a password"
    )
    for value in strings:
        # REDIS_PASSWORD only ever as ${REDIS_PASSWORD:?message}.
        rest = REQUIRED_REDIS_PASSWORD.sub("", value)
        assert "REDIS_PASSWORD" not in rest, (
            f"REDIS_PASSWORD must only appear as ${{REDIS_PASSWORD:?...}}: {value!r}"
        )
        # Any other secret-looking variable must be required too: no defaults, no bare $VAR.
        for match in VARIABLE_REFERENCE.finditer(value.replace("$$", "")):
            braced, modifier, bare = match.groups()
            var = braced or bare
            if SECRET_NAME.search(var):
                assert braced and modifier.startswith(":?"), (
                    f"{match.group(0)!r}: secrets must use the form ${{{var}:?message}}"
                )

    # Redis enforces the password, and the newsmon services connect with it.
    redis_command = " ".join(_command_words(compose["services"]["redis"]))
    assert "--requirepass ${REDIS_PASSWORD:?" in redis_command
    for name, service in compose["services"].items():
        if _uses_newsmon_image(service):
            url = str(service.get("environment", {}).get("REDIS_URL", ""))
            assert url.startswith("redis://:${REDIS_PASSWORD:?"), (
                f"{name}: REDIS_URL lacks password"
            )


def test_prometheus_scrapes_worker_and_api(compose: dict) -> None:
    prometheus = compose["services"]["prometheus"]
    mounts = [str(v).split(":")[0] for v in prometheus.get("volumes", [])]
    assert "./deploy/prometheus/prometheus.yml" in mounts
    config = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text(encoding="utf-8"))
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job.get("static_configs", [])
        for target in static.get("targets", [])
    } | {
        f"{name}:{discovery['port']}"
        for job in config["scrape_configs"]
        for discovery in job.get("dns_sd_configs", [])
        for name in discovery.get("names", [])
    }
    assert {"worker:9101", "api:8000", "deliver:9102"} <= targets
    env = compose["services"]["worker"]["environment"]
    assert str(env["NEWSMON_WORKER_METRICS_PORT"]) == "9101"
