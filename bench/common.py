"""What the benchmarks share: production-like settings, their own database, a Celery worker
started as a process and the CPU time it used."""

from __future__ import annotations

import collections
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def configure(database_url: str, *, tuned: bool | None = None, **environment: str) -> None:
    """Settings for a production-like process: DEBUG off (no query log), no TLS redirect,
    plain static files; `environment` sets further variables. Creates the database if needed
    (see `create_database` for `tuned`) and sets Django up."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-not-for-production")
    os.environ["DEBUG"] = "0"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["STATIC_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    os.environ.setdefault("REDIS_URL", "")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
    os.environ.update(environment)
    create_database(database_url, tuned=tuned)
    import django

    django.setup()


# PostgreSQL settings for a web application whose data fits in memory, given to the
# directory's benchmark database (and recommended for production; see README.md).
# - jit: PostgreSQL compiles any plan whose cost estimate is high (a filtered list read in
#   name order, say) for seconds, to speed up a query that runs in milliseconds.
# - random_page_cost: the default (4) prices index reads for spinning disks, and makes
#   PostgreSQL read all positions rather than a country's through the index.
TUNED = {"jit": "off", "random_page_cost": "1.1"}


def create_database(database_url: str, *, tuned: bool | None = None) -> None:
    """Create the benchmark database if needed. `tuned` gives it the TUNED settings (True),
    takes them away (False) or leaves its settings as they are (None)."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not exists.fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
        if tuned is None:
            return
        for setting, value in TUNED.items():
            change = f"SET {setting} = {value}" if tuned else f"RESET {setting}"
            connection.execute(f'ALTER DATABASE "{name}" {change}')
    state = ", ".join(f"{key} = {value}" for key, value in TUNED.items())
    print(f"PostgreSQL settings: {state}" if tuned else "PostgreSQL settings: defaults")


def start_worker(
    email_url: str, concurrency: int, *, name: str, log: str | None = None
) -> subprocess.Popen:
    """A `celery worker` with its prefork pool sending mail to `email_url`, once it is ready;
    its output goes to `log` (or nowhere)."""
    env = dict(os.environ, EMAIL_URL=email_url, LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "advocacy", "worker", "--loglevel=INFO",
         f"--concurrency={concurrency}", "--without-gossip", "--without-mingle",
         "-n", f"{name}-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    for line in process.stdout:
        if "ready." in line:
            break
    else:
        raise RuntimeError("the worker did not start")

    # Keep reading, or the worker blocks once the pipe is full.
    def read() -> None:
        with open(log or os.devnull, "a") as out:
            for line in process.stdout:
                out.write(line)

    threading.Thread(target=read, daemon=True).start()
    return process


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its children (the worker's pool)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for process in [str(pid), *children]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime and stime
    return total / ticks


class SmtpServer:
    """A local SMTP server that counts the Message-IDs it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.message_ids: collections.Counter = collections.Counter()
        self.lock = threading.Lock()
        with socket.socket() as probe:  # a free port
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        header = envelope.content.split(b"\r\n\r\n", 1)[0]
        message_id = next(
            (
                line.split(b":", 1)[1].strip()
                for line in header.split(b"\r\n")
                if line.lower().startswith(b"message-id:")
            ),
            b"",
        )
        with self.lock:
            self.message_ids[message_id] += 1
        return "250 OK"

    @property
    def received(self) -> int:
        with self.lock:
            return sum(self.message_ids.values())

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
