"""/healthz, /healthz/live and `manage.py healthcheck` report what the app depends on."""

import json
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from advocacy import tasks
from advocacy.celery import app
from advocacy.models import WorkerHeartbeat
from tests.conftest import free_port


@pytest.fixture
def fresh_heartbeat(db):
    return WorkerHeartbeat.objects.create(name="worker", seen_at=timezone.now(), hostname="w1")


@pytest.fixture
def stale_heartbeat(db, settings):
    seen_at = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE + 5)
    return WorkerHeartbeat.objects.create(name="worker", seen_at=seen_at, hostname="w1")


@pytest.fixture
def closed_broker():
    """The Celery app points at a port where nothing listens, for the test's duration."""
    original = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    yield
    app.conf.broker_url = original


def test_healthz_is_ok_with_a_fresh_heartbeat(client, fresh_heartbeat):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert report["database"] == {"status": "ok"}
    assert report["broker"] == {"status": "ok", "transport": "redis"}
    assert report["worker"]["status"] == "ok"
    assert report["worker"]["hostname"] == "w1"


def test_healthz_reports_a_stale_heartbeat_as_worker_down(client, stale_heartbeat, settings):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "down"
    assert report["worker"]["status"] == "down"
    assert report["worker"]["age_seconds"] > settings.WORKER_HEARTBEAT_MAX_AGE
    assert report["database"]["status"] == "ok"


def test_healthz_reports_a_missing_heartbeat_as_worker_down(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["worker"] == {
        "status": "down",
        "error": "no heartbeat yet",
        "last_heartbeat": None,
    }


def test_healthz_reports_an_unreachable_broker(client, fresh_heartbeat, closed_broker):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    report = response.json()
    assert report["broker"]["status"] == "down"
    assert "refused" in report["broker"]["error"].lower()
    assert report["database"]["status"] == "ok"
    assert report["worker"]["status"] == "ok"


def test_healthz_live_answers_whatever_else_is_down(client, db, closed_broker):
    response = client.get(reverse("healthz_live"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_checks_are_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("healthz_live")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 503  # no heartbeat, but no redirect
    assert client.get(reverse("login")).status_code == 301


def test_healthcheck_command_prints_the_healthz_report(client, fresh_heartbeat):
    out = StringIO()

    call_command("healthcheck", stdout=out)

    report = json.loads(out.getvalue())
    assert report["status"] == "ok"
    assert set(report) == set(client.get(reverse("healthz")).json())


def test_healthcheck_command_fails_when_the_worker_is_down(stale_heartbeat):
    out = StringIO()

    with pytest.raises(CommandError, match="worker") as raised:
        call_command("healthcheck", stdout=out)

    assert raised.value.returncode == 1
    assert json.loads(out.getvalue())["worker"]["status"] == "down"


def test_healthcheck_command_checks_only_the_components_asked_for(stale_heartbeat):
    out = StringIO()

    call_command("healthcheck", "--component", "database", "--component", "broker", stdout=out)

    assert json.loads(out.getvalue()) == {
        "database": {"status": "ok"},
        "broker": {"status": "ok", "transport": "redis"},
        "status": "ok",
    }


def test_healthcheck_command_fails_when_the_broker_is_unreachable(fresh_heartbeat, closed_broker):
    out = StringIO()

    with pytest.raises(CommandError, match="broker"):
        call_command("healthcheck", "--component", "broker", stdout=out)

    assert json.loads(out.getvalue())["broker"]["status"] == "down"


@pytest.mark.integration
def test_a_heartbeat_through_redis_makes_the_worker_healthy(celery_worker, client):
    assert client.get(reverse("healthz")).json()["worker"]["status"] == "down"

    tasks.worker_heartbeat.delay()

    deadline = time.monotonic() + 30
    while not WorkerHeartbeat.objects.filter(name="worker").exists():
        assert time.monotonic() < deadline, "no heartbeat:\n" + "".join(celery_worker.log)
        time.sleep(0.1)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["worker"]["status"] == "ok"
