"""The state of what the app depends on: the database, the broker and the Celery worker."""

import socket
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from advocacy.models import WorkerHeartbeat


def heartbeat_record() -> None:
    WorkerHeartbeat.objects.update_or_create(
        name="worker", defaults={"seen_at": timezone.now(), "hostname": socket.gethostname()}
    )


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down"; the message says which
        return {"status": "down", "error": str(error)[:200]}
    return {"status": "ok"}


def check_broker() -> dict:
    from advocacy.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # kombu raises many kinds; all mean "unreachable"
        return {"status": "down", "error": str(error)[:200]}
    return {"status": "ok", "transport": app.conf.broker_url.split(":", 1)[0]}


def check_worker() -> dict:
    try:
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
    except Exception as error:
        return {"status": "down", "error": str(error)[:200]}
    if beat is None:
        return {"status": "down", "error": "no heartbeat yet", "last_heartbeat": None}
    age = timezone.now() - beat.seen_at
    fresh = age <= timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    return {
        "status": "ok" if fresh else "down",
        "last_heartbeat": beat.seen_at.isoformat(),
        "age_seconds": int(age.total_seconds()),
        "hostname": beat.hostname,
    }


CHECKS = {"database": check_database, "broker": check_broker, "worker": check_worker}


def check_all(components: list[str] | None = None) -> tuple[bool, dict]:
    names = components or list(CHECKS)
    report = {}
    for name in names:
        # The worker's heartbeat lives in the database: no point asking if that is down.
        if name == "worker" and report.get("database", {}).get("status") == "down":
            report[name] = {"status": "down", "error": "database unavailable"}
            continue
        report[name] = CHECKS[name]()
    healthy = all(part["status"] == "ok" for part in report.values())
    return healthy, report
