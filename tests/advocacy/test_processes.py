"""The pieces of docker-compose.yml, run as plain processes: gunicorn, a Celery worker and beat.

Also the serverless broker that `make run` uses: worker and beat on SQLite with no Redis.
"""

import os
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from advocacy.celery import app
from advocacy.models import WorkerHeartbeat
from tests.conftest import ROOT, free_port, worker_environment
from tests.processes import Processes, wait_until

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started
    started.stop_all()


def manage(*args: str, env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=180,
        capture_output=True,
    )  # fmt: skip


def get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    return urllib.request.urlopen(request, timeout=5)


def answers(url: str) -> bool:
    try:
        return get(url).status == 200
    except (urllib.error.URLError, ConnectionError):
        return False


# gunicorn -----------------------------------------------------------------------------------


STATIC_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """Static files collected as the image collects them: hashed names, gzip and brotli."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DEBUG": "0", "STATIC_ROOT": str(root), "STATIC_STORAGE": STATIC_STORAGE}
    manage("collectstatic", "--noinput", "-v0", env=env)
    return root


@pytest.fixture
def gunicorn(transactional_db, processes, static_root):
    """gunicorn serving the test database and the collected static files."""
    env = worker_environment(
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(static_root),
        STATIC_STORAGE=STATIC_STORAGE,
    )
    port = free_port()
    processes.start(
        "gunicorn", [str(BIN / "gunicorn"), "advocacy.wsgi", "--bind", f"127.0.0.1:{port}"], env
    )
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: answers(f"{base}/healthz/live"), 90, processes.logs)
    return base


def test_gunicorn_answers_the_liveness_check(gunicorn):
    response = get(f"{gunicorn}/healthz/live")

    assert response.status == 200
    assert response.read() == b'{"status": "ok"}'


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_gunicorn_serves_hashed_compressed_css_named_by_the_sign_in_page(gunicorn, encoding):
    page = get(f"{gunicorn}/accounts/sign-in/").read().decode()
    css_path = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page).group(1)

    response = get(f"{gunicorn}{css_path}", **{"Accept-Encoding": encoding})

    assert response.status == 200
    assert response.headers["Content-Encoding"] == encoding
    assert response.headers["Content-Type"].startswith("text/css")
    # Hashed names never change content, so browsers may keep them for good.
    assert "immutable" in response.headers["Cache-Control"]


# Celery worker and beat ---------------------------------------------------------------------


def start_worker_and_beat(processes: Processes, env: dict) -> subprocess.Popen:
    """Starts both; returns the worker."""
    celery = str(BIN / "celery")
    worker = processes.start(
        "worker",
        [celery, "-A", "advocacy", "worker", "--concurrency=1", "--loglevel=INFO",
         "-n", f"processes-{os.getpid()}@%h"],
        env,
    )  # fmt: skip
    processes.start("beat", [celery, "-A", "advocacy", "beat", "--loglevel=INFO"], env)
    return worker


def test_beat_and_worker_record_the_heartbeat_through_redis(transactional_db, processes, tmp_path):
    app.control.purge()
    schedule = tmp_path / "beat" / "celerybeat-schedule"
    schedule.parent.mkdir()
    env = worker_environment(
        WORKER_HEARTBEAT_INTERVAL="1", CELERY_BEAT_SCHEDULE_FILENAME=str(schedule)
    )
    assert env["REDIS_URL"].startswith("redis://")

    start_worker_and_beat(processes, env)

    wait_until(lambda: WorkerHeartbeat.objects.filter(name="worker").exists(), 60, processes.logs)
    # Beat kept its schedule where it was told to (shelve may add a suffix).
    assert list(schedule.parent.glob("celerybeat-schedule*"))


def test_make_run_runs_scheduled_work_without_redis(processes, tmp_path):
    database = tmp_path / "db.sqlite3"
    var_dir = tmp_path / "var"
    env = {
        **os.environ,
        "DEBUG": "1",
        "REDIS_URL": "",
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{database}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "WORKER_HEARTBEAT_INTERVAL": "1",
        "PYTHONUNBUFFERED": "1",
    }
    manage("migrate", "--noinput", env=env)

    worker = start_worker_and_beat(processes, env)

    def heartbeat_rows() -> list:
        with sqlite3.connect(database) as conn:
            return conn.execute(
                "SELECT hostname FROM advocacy_workerheartbeat WHERE name = 'worker'"
            ).fetchall()

    wait_until(lambda: bool(heartbeat_rows()), 60, processes.logs)
    # The messages went through the filesystem transport under VAR_DIR, not a server.
    assert (var_dir / "broker" / "queue").is_dir()
    assert list(var_dir.glob("celerybeat-schedule*"))
    assert "filesystem://" in worker.log.read_text()
