"""How fast is the reminder dispatcher with 1,000,000 pending reminders? Loads them into a
benchmark database, times dispatch ticks that find nothing due, then makes 10,000 fall due
at once and times one Celery worker delivering them all.

    .venv/bin/python bench/reminders.py                     # load if needed, then measure
    .venv/bin/python bench/reminders.py --reload            # load the pending rows afresh
    .venv/bin/python bench/reminders.py --email             # deliveries also send an email
    .venv/bin/python bench/reminders.py --pending 200000 --due 2000 --ticks 100

The database (`advocacy_bench_reminders` by default, BENCH_DATABASE_URL to change it) is
created and migrated by the script and never touched by the tests; the broker is
BENCH_REDIS_URL (Redis database 10 of 127.0.0.1 by default), whose queue is purged first.
The worker is one `celery worker` with its prefork pool (one child per CPU unless
--concurrency says otherwise). With
--email, mail goes to an SMTP server this script runs on localhost. See README.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import time

import common

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/advocacy_bench_reminders"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
USERS = 1000


def configure(database_url: str, redis_url: str) -> None:
    common.configure(database_url, REDIS_URL=redis_url, CELERY_TASK_ALWAYS_EAGER="0")


# Data


def ensure_users() -> list[int]:
    from advocacy.models import User

    users = User.objects.filter(email__endswith="@bench.example.org")
    if users.count() < USERS:
        User.objects.bulk_create(
            (
                User(email=f"person{n}@bench.example.org", password="!", time_zone="Europe/Zurich")
                for n in range(USERS)
            ),
            ignore_conflicts=True,
        )
    return list(users.order_by("pk").values_list("pk", flat=True))


def load_pending(count: int, user_ids: list[int]) -> None:
    """`count` pending reminders spread over the next 400 days, in one INSERT ... SELECT."""
    from django.db import connection

    from campaigns.models import Reminder

    started = time.perf_counter()
    Reminder.objects.filter(source_key__startswith="bench:").delete()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO campaigns_reminder
                (recipient_id, due_at, kind, source_key, target_id, title, message, url,
                 state, attempts, last_error, created_at)
            SELECT %(first)s + (n %% %(users)s),
                   now() + interval '1 day' + (n %% 400) * interval '1 day'
                         + (n %% 1440) * interval '1 minute',
                   'event', 'bench:' || n, '', 'Meeting of states parties ' || n,
                   'Brief the delegation.', '/campaigns/', 'pending', 0, '', now()
            FROM generate_series(1, %(count)s) AS n
            """,
            {"first": user_ids[0], "users": len(user_ids), "count": count},
        )
        cursor.execute("ANALYZE campaigns_reminder")
    print(f"loaded {count:,} pending reminders in {time.perf_counter() - started:.1f} s")


def make_due(count: int, user_ids: list[int], run: str) -> list[int]:
    from django.utils import timezone

    from campaigns.models import Reminder

    now = timezone.now()
    rows = Reminder.objects.bulk_create(
        Reminder(
            recipient_id=user_ids[n % len(user_ids)],
            due_at=now,
            kind=Reminder.Kind.EVENT,
            source_key=f"burst:{run}:{n}",
            title=f"Meeting of states parties {n}",
            message="Brief the delegation.",
            url="/campaigns/",
        )
        for n in range(count)
    )
    return [row.pk for row in rows]


# Measurements


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def idle_ticks(ticks: int) -> dict[str, float]:
    from campaigns import reminders

    for _ in range(10):  # warm the connection and the plan cache
        reminders.reminders_dispatch()
    times = []
    for _ in range(ticks):
        started = time.perf_counter()
        claimed = reminders.reminders_dispatch()
        times.append((time.perf_counter() - started) * 1000)
        assert not claimed, "a reminder fell due during the idle ticks"
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "max": max(times),
    }


def explain_tick() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, attempts FROM campaigns_reminder"
            " WHERE state = 'pending' AND due_at <= now() ORDER BY due_at LIMIT 500"
            " FOR UPDATE SKIP LOCKED"
        )
        return "\n".join(row[0] for row in cursor.fetchall())


def burst(count: int, user_ids: list[int], *, email: bool, concurrency: int) -> dict[str, float]:
    from advocacy.celery import app
    from advocacy.models import Notification, User
    from campaigns import reminders
    from campaigns.models import Reminder

    preference = User.ReminderDelivery.EMAIL if email else User.ReminderDelivery.IN_APP
    User.objects.filter(pk__in=user_ids).update(reminder_delivery=preference)
    app.control.purge()
    with common.SmtpServer() as smtp:
        worker = common.start_worker(
            smtp.url if email else "dummymail://", concurrency, name="bench"
        )
        try:
            ids = make_due(count, user_ids, run=str(int(time.time())))
            started = time.perf_counter()
            claimed = reminders.reminders_dispatch()
            queued = time.perf_counter() - started
            assert len(claimed) == count, f"claimed {len(claimed)} of {count}"
            sent = Reminder.objects.filter(pk__in=ids, state=Reminder.State.SENT)
            while sent.count() < count:
                time.sleep(0.25)
                if time.perf_counter() - started > 1800:
                    raise RuntimeError(f"only {sent.count()} of {count} sent after 30 minutes")
            delivered = time.perf_counter() - started
            worker_cpu = common.cpu_seconds(worker.pid)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(60)
        keys = [f"reminder:{pk}" for pk in ids]
        notifications = Notification.objects.filter(source_key__in=keys).count()
        assert notifications == count, f"{notifications} notifications for {count} reminders"
        emails = smtp.received
    Notification.objects.filter(source_key__in=keys).delete()
    Reminder.objects.filter(pk__in=ids).delete()
    User.objects.filter(pk__in=user_ids).update(unread_notifications=0)
    return {"queued": queued, "delivered": delivered, "emails": emails, "cpu": worker_cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--ticks", type=int, default=500, help="idle dispatch ticks to time")
    parser.add_argument("--email", action="store_true", help="deliveries send an email too")
    parser.add_argument(
        "--concurrency", type=int, default=os.cpu_count(), help="the worker's pool processes"
    )
    parser.add_argument("--reload", action="store_true", help="load the pending rows again")
    options = parser.parse_args()

    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    configure(options.database_url, options.redis_url)
    from django.core.management import call_command

    from campaigns.models import Reminder

    call_command("migrate", verbosity=0)
    user_ids = ensure_users()
    pending = Reminder.objects.filter(source_key__startswith="bench:")
    if options.reload or pending.count() != options.pending:
        load_pending(options.pending, user_ids)

    figures = idle_ticks(options.ticks)
    print(
        f"idle tick with {options.pending:,} pending: p50 {figures['p50']:.2f} ms, "
        f"p95 {figures['p95']:.2f} ms, max {figures['max']:.2f} ms ({options.ticks} ticks)"
    )
    print(explain_tick())

    result = burst(options.due, user_ids, email=options.email, concurrency=options.concurrency)
    rate = options.due / result["delivered"]
    print(
        f"{options.due:,} due at once: claimed and queued in {result['queued']:.1f} s, all "
        f"delivered in {result['delivered']:.1f} s ({rate:.0f} a second) by one worker with "
        f"{options.concurrency} pool processes on {os.cpu_count()} CPUs; "
        f"{result['emails']:,} emails"
    )
    print(
        f"worker CPU time: {result['cpu']:.1f} s, {result['cpu'] * 1000 / options.due:.1f} ms "
        "a reminder (the database's own work not included)"
    )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
