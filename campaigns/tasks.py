"""Reminder tasks: planning, the dispatcher beat runs, delivery of one reminder, the digest."""

from celery import shared_task

from advocacy.tasks import NETWORK_ERRORS
from contacts.tasks import IMPORT_SOFT_TIME_LIMIT, IMPORT_TIME_LIMIT


@shared_task
def reminders_dispatch() -> int:
    from campaigns import reminders

    return len(reminders.reminders_dispatch())


# Retries come within two minutes (15, 30, 60, 120 s, with jitter), well inside
# REMINDERS_REQUEUE_AFTER, so the dispatcher does not send the same reminder meanwhile.
@shared_task(
    bind=True,
    autoretry_for=NETWORK_ERRORS,
    retry_backoff=15,
    retry_backoff_max=120,
    max_retries=4,
)
def reminder_deliver(self, reminder_id: int) -> None:
    from campaigns import reminders

    reminders.reminder_deliver(
        reminder_id=reminder_id, final_attempt=self.request.retries >= self.max_retries
    )


@shared_task
def reminders_plan() -> None:
    from campaigns import reminders

    reminders.reminders_plan()


@shared_task
def reminder_rule_plan(rule_id: int) -> None:
    from campaigns import reminders
    from campaigns.models import ReminderRule

    rule = (
        ReminderRule.objects.select_related("campaign", "organisation").filter(pk=rule_id).first()
    )
    if rule is not None:
        reminders.rule_plan(rule=rule)


@shared_task
def reminders_digest() -> int:
    from advocacy import notifications

    return notifications.digests_send_due()


# Treaty status imports run on the directory's import mechanism (contacts.imports); a status
# list is a few hundred rows, so the limits are those of the directory's imports.
@shared_task(soft_time_limit=IMPORT_SOFT_TIME_LIMIT, time_limit=IMPORT_TIME_LIMIT)
def treaty_import_run(job_id: int) -> None:
    from campaigns import treaty_import

    treaty_import.import_job_run(job_id=job_id, stale_after=IMPORT_TIME_LIMIT)


# Calendar uploads (.ics) run on the same mechanism; a calendar file is small.
@shared_task(soft_time_limit=IMPORT_SOFT_TIME_LIMIT, time_limit=IMPORT_TIME_LIMIT)
def calendar_import_run(job_id: int) -> None:
    from campaigns.ics import jobs

    jobs.import_job_run(job_id=job_id, stale_after=IMPORT_TIME_LIMIT)
