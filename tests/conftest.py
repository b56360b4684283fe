"""Shared fixtures: personas, a local SMTP server, a real Celery worker and eager retries."""

import asyncio
import collections
import os
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from advocacy.models import Membership
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Personas: an organisation in a coalition with one member per role, and an outsider
# who belongs to an organisation outside that coalition.
@pytest.fixture
def coalition(db):
    return factories.CoalitionFactory(name="Test Coalition")


@pytest.fixture
def organisation(coalition):
    return factories.OrganisationFactory(name="Home Org", coalition=coalition)


def _member(organisation, role, email):
    return factories.MembershipFactory(organisation=organisation, role=role, user__email=email).user


@pytest.fixture
def admin_user(organisation):
    return _member(organisation, Membership.Role.ADMIN, "admin@home.example.org")


@pytest.fixture
def coordinator(organisation):
    return _member(organisation, Membership.Role.COORDINATOR, "coordinator@home.example.org")


@pytest.fixture
def campaigner(organisation):
    return _member(organisation, Membership.Role.CAMPAIGNER, "campaigner@home.example.org")


@pytest.fixture
def viewer(organisation):
    return _member(organisation, Membership.Role.VIEWER, "viewer@home.example.org")


@pytest.fixture
def coalition_partner(coalition):
    """A campaigner in another organisation of the same coalition."""
    partner_org = factories.OrganisationFactory(name="Partner Org", coalition=coalition)
    return _member(partner_org, Membership.Role.CAMPAIGNER, "partner@partner.example.org")


@pytest.fixture
def outsider(db):
    other = factories.OrganisationFactory(name="Outside Org")
    return _member(other, Membership.Role.ADMIN, "outsider@outside.example.org")


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(client, admin_user):
    return _client_for(client, admin_user)


@pytest.fixture
def campaigner_client(client, campaigner):
    return _client_for(client, campaigner)


@pytest.fixture
def outsider_client(client, outsider):
    return _client_for(client, outsider)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """Collects every message a local SMTP server receives.

    Switches for tests of failures: `refuse` answers every message with "451 Try again
    later"; `refuse_recipients` maps an address to the answer its RCPT TO gets (e.g.
    "550 No such user"); `hold_at = n` keeps the n-th MAIL FROM (counting from 1) waiting
    before it answers, so before any message data is sent, until `release()` (`held` is set
    once it waits).
    """

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()
        self.refuse = False
        self.refuse_recipients: dict[str, str] = {}
        self.hold_at: int | None = None
        self.held = threading.Event()
        self._released = threading.Event()
        self.mail_commands = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self._lock:
            self.mail_commands += 1
            hold = self.hold_at is not None and self.mail_commands == self.hold_at
        if hold:
            self.held.set()
            while not self._released.is_set():
                await asyncio.sleep(0.02)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.refuse_recipients.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    def release(self) -> None:
        """Let a held MAIL FROM go on (the client may be gone by then)."""
        self._released.set()

    def message_ids(self) -> collections.Counter:
        """How many times each Message-ID arrived."""
        with self._lock:
            return collections.Counter(message["Message-ID"] for message in self.messages)

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 15) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost; Django sends to it for the test's duration."""
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    sink.port = port
    yield sink
    sink.release()
    controller.stop()


def worker_environment(**extra) -> dict:
    """Environment for a subprocess that must use this test run's database and broker."""
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}",
        CELERY_TASK_ALWAYS_EAGER="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker process on Redis, using the test database.

    Tests that use it must commit their data (hence transactional_db). Tasks sent from the
    test process go through Redis instead of running eagerly.
    """
    from advocacy.celery import app

    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "advocacy",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=worker_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    ready = threading.Event()

    def read_log():
        for line in process.stdout:
            log.append(line)
            if "ready." in line:
                ready.set()

    threading.Thread(target=read_log, daemon=True).start()
    if not ready.wait(60):
        process.kill()
        raise RuntimeError("Celery worker did not start:\n" + "".join(log))
    process.log = log
    yield process
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
    app.conf.task_always_eager = True


@pytest.fixture
def eager_retries():
    """Let eager tasks retry in-process, as a worker would, instead of raising Retry."""
    from advocacy.celery import app

    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = propagates


@pytest.fixture(autouse=True)
def _reset_language_and_zone():
    """A request activates its user's language and zone in the thread; start each test clean."""
    from django.utils import timezone, translation

    yield
    translation.activate("en")
    timezone.deactivate()
