from celery import shared_task

# Big legislatures take a while, and the whole import is one transaction: a retry after a
# time-out would start from nothing again, so the limits are generous rather than retried.
IMPORT_SOFT_TIME_LIMIT = 15 * 60
IMPORT_TIME_LIMIT = IMPORT_SOFT_TIME_LIMIT + 60


@shared_task(soft_time_limit=IMPORT_SOFT_TIME_LIMIT, time_limit=IMPORT_TIME_LIMIT)
def import_job_run(job_id: int) -> None:
    from contacts import imports

    imports.import_job_run(job_id=job_id, stale_after=IMPORT_TIME_LIMIT)
