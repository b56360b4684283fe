"""Calendar uploads as background jobs, on the directory's import mechanism
(contacts.imports): preview, confirm, a Celery task, progress on the ImportJob row."""

from __future__ import annotations

from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.models import ImportJob, User
from campaigns.ics.reader import IcsResult, Progress, import_file
from campaigns.models import Calendar
from contacts import imports

KIND = "campaigns.ics"


def import_job_create(
    *,
    calendar: Calendar,
    data: bytes,
    file_name: str,
    time_zone: str,
    kind: str,
    created_by: User,
) -> tuple[ImportJob | None, IcsResult]:
    """Preview an upload (what it would create, update or leave) and, if the file is sound,
    keep it on a job ready to run. A file with errors is not kept: nothing changes."""
    result = import_file(
        calendar=calendar, data=data, default_time_zone=time_zone, kind=kind, dry_run=True
    )
    if not result.ok:
        return None, result
    job = ImportJob(
        kind=KIND,
        file_name=file_name[:255],
        options={"calendar": calendar.pk, "time_zone": time_zone, "kind": kind},
        preview=result.as_dict(),
        total=result.created + result.updated,
        created_by=created_by,
        organisation=calendar.organisation,
    )
    job.file.save(Path(file_name).name or "calendar.ics", ContentFile(data), save=False)
    job.save()
    return job, result


@transaction.atomic
def import_job_queue(*, job: ImportJob) -> bool:
    """Confirm a previewed import: the task runs once the transaction commits."""
    from campaigns import tasks

    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.QUEUED, updated_at=timezone.now()
    )
    if updated:
        # Robust: with the broker down the job stays queued, which its page says.
        transaction.on_commit(lambda: tasks.calendar_import_run.delay(job.pk), robust=True)
    return bool(updated)


def import_job_run(*, job_id: int, stale_after: int) -> None:
    """The body of the import task: the directory's job runner, with this importer."""
    imports.import_job_run(job_id=job_id, stale_after=stale_after, run=_run_job)


def _run_job(job: ImportJob, data: bytes, progress: Progress) -> IcsResult:
    calendar = Calendar.objects.filter(pk=job.options.get("calendar")).first()
    if calendar is None:
        raise imports.ImportRejected(_("The calendar of this import no longer exists."))
    return import_file(
        calendar=calendar,
        data=data,
        default_time_zone=job.options.get("time_zone") or "UTC",
        kind=job.options.get("kind", ""),
        progress=progress,
    )
