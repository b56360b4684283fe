"""Real Celery workers, beat and Redis servers for the delivery tests, with a local SMTP server.

A test module takes the fixtures `sink` (the SMTP server), `processes` (starts workers, beat
and Redis servers, each with a log, and stops them all at the end) and `real_broker` (tasks
sent from the test go through Redis) from `worker_fixtures`, which names its workers and says
what differs:

    sink, processes, real_broker = worker_fixtures(worker_prefix="reminders")
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings

from advocacy.celery import app
from tests.conftest import ROOT, SmtpSink, free_port, worker_environment


def wait_until(condition: Callable[[], bool], timeout: float, explain: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s\n{explain()}")
        time.sleep(0.2)


class Processes:
    """Workers, beat and Redis servers for one test, each with a log; all stopped at the end.

    Workers are named `<worker_prefix>-<n>@<host>` and send mail to `smtp_url`; `start` runs
    any other command.
    """

    def __init__(self, log_dir: Path, smtp_url: str = "", worker_prefix: str = "worker"):
        self.log_dir = log_dir
        self.smtp_url = smtp_url
        self.worker_prefix = worker_prefix
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = self.log_dir / f"{name}-{len(self.started)}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        process.log = log
        self.started.append(process)
        return process

    def _environment(self, **extra: str) -> dict:
        return worker_environment(EMAIL_URL=self.smtp_url, **extra)

    def worker(self, **env: str) -> subprocess.Popen:
        process = self.start(
            "worker",
            [sys.executable, "-m", "celery", "-A", "advocacy", "worker", "--pool=solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
             "-n", f"{self.worker_prefix}-{len(self.started)}@%h"],
            self._environment(**env),
        )  # fmt: skip
        wait_until(lambda: "ready." in process.log.read_text(), 60, self.logs)
        return process

    def beat(self, **env: str) -> subprocess.Popen:
        return self.start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "advocacy", "beat", "--loglevel=INFO",
             "--schedule", str(self.log_dir / "beat-schedule")],
            self._environment(**env),
        )  # fmt: skip

    def redis(self, port: int) -> subprocess.Popen:
        # No snapshot, no append-only file: a restart loses the queue, the worst case.
        process = self.start(
            "redis",
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
        )  # fmt: skip
        wait_until(lambda: "Ready to accept connections" in process.log.read_text(), 15, self.logs)
        return process

    def stop(self, process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(20)

    def logs(self) -> str:
        return "\n".join(
            f"--- {process.log.name}\n{process.log.read_text()[-4000:]}" for process in self.started
        )

    def stop_all(self) -> None:
        for process in self.started:
            try:
                self.stop(process)
            except subprocess.TimeoutExpired:
                self.stop(process, signal.SIGKILL)


def worker_fixtures(
    *, worker_prefix: str, sink_class: type[SmtpSink] = SmtpSink, drop_unacked: bool = False
):
    """The fixtures `sink`, `processes` and `real_broker` for a module's tests.

    `sink_class` is the SMTP server's handler. `drop_unacked` empties the broker's
    unacknowledged tasks after the test: a task whose worker was killed stays there until its
    visibility timeout, when the test's database is gone.
    """

    @pytest.fixture(name="sink")
    def sink_fixture():
        """An SMTP server on a free local port; its address in `sink.url`."""
        sink = sink_class()
        controller = Controller(sink, hostname="127.0.0.1", port=free_port())
        controller.start()
        sink.url = f"smtp://127.0.0.1:{controller.port}"
        yield sink
        sink.release()
        controller.stop()

    @pytest.fixture(name="processes")
    def processes_fixture(tmp_path, sink):
        started = Processes(tmp_path, sink.url, worker_prefix)
        yield started
        started.stop_all()

    @pytest.fixture(name="real_broker")
    def real_broker_fixture(transactional_db, settings):
        """Tasks sent from this process go through Redis instead of running in it."""
        app.conf.task_always_eager = False
        settings.CELERY_TASK_ALWAYS_EAGER = False
        app.control.purge()
        yield
        app.conf.task_always_eager = True
        if drop_unacked:
            broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
            broker.delete("unacked", "unacked_index")

    return sink_fixture, processes_fixture, real_broker_fixture
