"""The deployment files agree with the settings: every variable is documented and spelled right."""

import re

import yaml

from tests.conftest import ROOT

APP_SERVICES = ("web", "worker", "beat")
# Read by the PostgreSQL container in docker-compose.yml, not by Django.
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}
# Read by Python, pip and gunicorn inside the image, not by Django.
IMAGE_ONLY_PREFIXES = ("PYTHON", "PIP_", "GUNICORN_")

ENV_CALL = re.compile(
    r"\benv(?:\.(?:bool|int|float|str|list|json|url|db|email_url|cache))?\(\s*\"(\w+)\""
)
ENV_EXAMPLE_LINE = re.compile(r"^#?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
INTERPOLATION = re.compile(r"\$\{(\w+)")


def settings_names() -> set[str]:
    return set(ENV_CALL.findall((ROOT / "advocacy" / "settings.py").read_text()))


def env_example_names() -> set[str]:
    return set(ENV_EXAMPLE_LINE.findall((ROOT / ".env.example").read_text()))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_settings_parser_finds_calls_split_over_lines():
    names = settings_names()

    # STATIC_STORAGE and CELERY_BEAT_SCHEDULE_FILENAME are read by env( calls spanning lines.
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "ALLOWED_HOSTS"} <= names
    assert {"STATIC_STORAGE", "CELERY_BEAT_SCHEDULE_FILENAME", "WORKER_HEARTBEAT_INTERVAL"} <= names


def test_every_setting_is_in_env_example():
    assert settings_names() - env_example_names() == set()


def test_env_example_names_only_real_variables():
    assert env_example_names() - settings_names() - COMPOSE_ONLY == set()


def test_every_app_service_variable_is_a_setting():
    services = compose()["services"]
    for name in APP_SERVICES:
        unknown = set(services[name]["environment"]) - settings_names()
        assert unknown == set(), f"{name} sets {unknown}, which settings.py never reads"


def test_every_compose_interpolation_is_a_setting_or_the_database_password():
    used = set(INTERPOLATION.findall((ROOT / "docker-compose.yml").read_text()))

    assert used - settings_names() - COMPOSE_ONLY == set()
    assert used - env_example_names() == set()


def test_app_services_get_the_production_settings():
    services = compose()["services"]
    essentials = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"}
    essentials |= {"EMAIL_URL", "BEHIND_PROXY"}
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert essentials <= set(environment), name
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")
        # The container's own health check asks for http://127.0.0.1:8000/healthz/live.
        assert environment["ALLOWED_HOSTS"].endswith(",127.0.0.1")


def test_every_service_has_a_health_check_and_waits_for_healthy_dependencies():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    for name, service in services.items():
        assert service["healthcheck"]["test"], name
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)
    assert set(services["web"]["depends_on"]) == {"db", "redis"}


def test_beat_keeps_its_schedule_on_a_volume():
    services = compose()["services"]
    schedule = services["beat"]["environment"]["CELERY_BEAT_SCHEDULE_FILENAME"]
    mounts = [volume.split(":")[1] for volume in services["beat"]["volumes"]]

    assert any(schedule.startswith(mount + "/") for mount in mounts)
    assert set(compose()["volumes"]) >= {
        volume.split(":")[0] for volume in services["beat"]["volumes"]
    }


def test_every_variable_the_image_sets_for_the_app_is_a_setting():
    dockerfile = (ROOT / "Dockerfile").read_text()
    env_block = re.search(r"^ENV (.*?)(?<!\\)\n", dockerfile, re.MULTILINE | re.DOTALL)
    names = set(re.findall(r"\b([A-Z][A-Z0-9_]*)=", env_block.group(1)))
    app_names = {name for name in names if not name.startswith(IMAGE_ONLY_PREFIXES)}

    assert app_names == {"VAR_DIR", "STATIC_ROOT"}
    assert app_names <= settings_names()
