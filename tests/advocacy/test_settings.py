"""Settings as a fresh process reads them from the environment, production values included."""

import os
import secrets
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# Only what a server provides: the test run sets more (SECURE_SSL_REDIRECT=0, and browser
# tests DJANGO_ALLOW_ASYNC_UNSAFE) that a production environment must not inherit.
INHERITED = ("PATH", "HOME", "LANG", "DATABASE_URL", "REDIS_URL")


@pytest.fixture
def production_env(tmp_path) -> dict:
    env = {key: os.environ[key] for key in INHERITED if key in os.environ}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="advocacy.example.org",
        SITE_URL="https://advocacy.example.org",
        BEHIND_PROXY="1",
        VAR_DIR=str(tmp_path),
    )
    return env


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_deploy_check_passes_with_production_values(production_env):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_catches_a_weakened_setting(production_env):
    production_env["SECURE_SSL_REDIRECT"] = "0"

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)

    assert result.returncode == 1
    assert "security.W008" in result.stderr


def test_starting_without_debug_or_secret_key_fails_clearly(production_env):
    del production_env["DEBUG"], production_env["SECRET_KEY"]

    result = run(["manage.py", "check"], production_env)

    assert result.returncode == 1
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


PRINT_BROKER = (
    "import django; django.setup();"
    "from django.conf import settings; from advocacy.celery import app;"
    "print(app.conf.broker_url); print(settings.CACHES['default']['BACKEND'])"
)


def test_without_redis_the_broker_is_the_filesystem(production_env, tmp_path):
    production_env.update(REDIS_URL="", DJANGO_SETTINGS_MODULE="advocacy.settings")

    result = run(["-c", PRINT_BROKER], production_env)

    assert result.returncode == 0, result.stderr
    broker, cache = result.stdout.split()
    assert broker == "filesystem://"
    assert cache == "django.core.cache.backends.locmem.LocMemCache"
    # The transport's folders are made under VAR_DIR, so a bare machine needs nothing else.
    assert (tmp_path / "broker" / "queue").is_dir()


def test_with_redis_the_broker_and_cache_are_redis(production_env, tmp_path):
    production_env.update(
        REDIS_URL="redis://127.0.0.1:6379/3", DJANGO_SETTINGS_MODULE="advocacy.settings"
    )

    result = run(["-c", PRINT_BROKER], production_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "redis://127.0.0.1:6379/3",
        "django.core.cache.backends.redis.RedisCache",
    ]
    assert not (tmp_path / "broker").exists()
