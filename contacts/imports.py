"""What every directory import shares: reading the bytes, the result it reports, and the
background jobs that the upload page runs.

An import reads a whole file, checks all of it, and writes nothing unless every record is
sound: the person who uploaded it fixes the file and tries again, rather than cleaning up
half an import. Problems are reported with the record (`persons[12] (id "…")`) or line
(`line 7`) and the field they concern.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from advocacy.models import ImportJob, Organisation, User

logger = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024
# How many problems a result keeps word for word; the rest are only counted.
MAX_MESSAGES = 100

POPOLO = "contacts.popolo"
CSV = "contacts.csv"
KINDS = (POPOLO, CSV)

Progress = Callable[[int, int], None]
# Imports a job's file: (job, the file's bytes, progress) → what it did.
Runner = Callable[[ImportJob, bytes, Progress], "ImportResult"]


class ImportRejected(Exception):
    """The file as a whole cannot be imported: wrong encoding, not JSON, too big, no country."""


class CountryNeeded(ImportRejected):
    """The file does not say which country it covers, and none was given."""


@dataclass
class ImportResult:
    """What an import did, or would do (a preview), counted per kind of record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    # {"persons": {"created": 3, "updated": 1, "unchanged": 0}, ...}
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    # Records found in the file, per kind: what the preview shows before anything is written.
    found: dict[str, int] = field(default_factory=dict)

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(message)

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(message)

    def count(self, kind: str, outcome: str, number: int = 1) -> None:
        counts = self.by_kind.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0})
        counts[outcome] += number
        setattr(self, outcome, getattr(self, outcome) + number)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def line(self) -> str:
        """The one-line summary the import command ends with."""
        return (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, errors {self.error_count}"
        )

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.error_count,
            "error_messages": self.errors,
            "warnings": self.warning_count,
            "warning_messages": self.warnings,
            "by_kind": self.by_kind,
            "found": self.found,
        }


def decode_text(data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark; anything else is refused with a message
    that says what the file seems to be, since guessing an encoding silently garbles names."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ImportRejected(_("The file is in UTF-32. Save it as UTF-8 and try again."))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:1000]:
        raise ImportRejected(_("The file is in UTF-16. Save it as UTF-8 and try again."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(
            _(
                "The file is not UTF-8 (line %(line)d has the byte 0x%(byte)02X, as written by "
                "Latin-1 or Windows encodings). Save it as UTF-8 and try again."
            )
            % {"line": line, "byte": data[error.start]}
        ) from error


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise ImportRejected(
            _("The file is larger than %(limit)d MB; split it and import the parts.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )


def read_path(path: str | Path) -> bytes:
    path = Path(path)
    check_size(path.stat().st_size)
    return path.read_bytes()


def country_code(code: str) -> str:
    """An ISO 3166 alpha-2 code in capitals, or ImportRejected."""
    code = (code or "").strip().upper()
    if len(code) != 2 or code not in dict(countries):
        raise ImportRejected(
            _('"%(code)s" is not a country code (two letters from ISO 3166, such as KE).')
            % {"code": code}
        )
    return code


def import_data(
    kind: str,
    data: bytes,
    *,
    country: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Run the importer for this kind of file. Raises ImportRejected for a file that cannot
    be read at all; problems with its records come back in the result."""
    from contacts import csv_import, popolo

    check_size(len(data))
    if kind == POPOLO:
        return popolo.popolo_import(data, country=country, dry_run=dry_run, progress=progress)
    if kind == CSV:
        return csv_import.csv_import(data, country=country, dry_run=dry_run, progress=progress)
    raise ValueError(f"unknown import kind {kind!r}")


def stored_copy(kind: str, data: bytes) -> bytes:
    """What is kept of the upload under MEDIA_ROOT: for Popolo, the file less the fields we
    never import (ethnicity in `national_identity`), so it is not stored even there."""
    if kind == POPOLO:
        from contacts import popolo

        return popolo.without_sensitive_fields(data)
    return data


# Background jobs for the upload page


def import_job_create(
    *,
    kind: str,
    data: bytes,
    file_name: str,
    country: str | None,
    created_by: User,
    organisation: Organisation | None,
) -> tuple[ImportJob | None, ImportResult]:
    """Preview an upload (a dry run of the whole import) and, if it would succeed, keep the
    file on a job ready to run. A file with errors is not kept: nothing changes."""
    result = import_data(kind, data, country=country, dry_run=True)
    if not result.ok:
        return None, result
    job = ImportJob(
        kind=kind,
        file_name=file_name[:255],
        options={"country": country or ""},
        preview=result.as_dict(),
        total=sum(result.found.values()),
        created_by=created_by,
        organisation=organisation,
    )
    job.file.save(
        Path(file_name).name or "upload", ContentFile(stored_copy(kind, data)), save=False
    )
    job.save()
    return job, result


@transaction.atomic
def import_job_queue(*, job: ImportJob) -> bool:
    """Confirm a previewed import: the task runs once the transaction commits."""
    from contacts import tasks

    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.QUEUED, updated_at=timezone.now()
    )
    if updated:
        # Robust: with the broker down the job stays queued, which its page says, rather
        # than the confirmation failing with an error page.
        transaction.on_commit(lambda: tasks.import_job_run.delay(job.pk), robust=True)
    return bool(updated)


def _claim(job_id: int, stale_after: int) -> ImportJob | None:
    """Move a queued job to running. A job left running by a worker that died is taken again
    after the task's hard time limit: its transaction was rolled back, so nothing is doubled."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=stale_after)
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=now, progress=0, updated_at=now
    ) or ImportJob.objects.filter(
        pk=job_id, status=ImportJob.Status.RUNNING, started_at__lt=stale
    ).update(started_at=now, progress=0, updated_at=now)
    return ImportJob.objects.get(pk=job_id) if claimed else None


def _progress_writer(job_id: int) -> Progress:
    """Record progress on the job while the import's own transaction is still open.

    The import writes inside one transaction, which other connections cannot see into, so
    progress goes through a short-lived thread, and therefore its own connection, that
    commits at once. SQLite has one writer at a time, so there the bar moves only at the end.
    """

    def write(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(
            progress=min(done, total), total=total, updated_at=timezone.now()
        )

    def write_in_thread(done: int, total: int) -> None:
        def run() -> None:
            try:
                write(done, total)
            finally:
                connection.close()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join()

    if connection.vendor == "sqlite":
        return lambda done, total: None
    return write_in_thread


def import_job_run(*, job_id: int, stale_after: int = 3600, run: Runner | None = None) -> None:
    """The body of the import task: run a queued job and record how it ended. Importers
    outside the directory (treaty statuses) pass `run`, which imports the job's file."""
    job = _claim(job_id, stale_after)
    if job is None:
        return
    try:
        data = job.file.open("rb").read()
        job.file.close()
        if run is not None:
            result = run(job, data, _progress_writer(job.pk))
        else:
            result = import_data(
                job.kind,
                data,
                country=job.options.get("country") or None,
                progress=_progress_writer(job.pk),
            )
    except ImportRejected as error:
        _finish(job, status=ImportJob.Status.FAILED, error_message=str(error))
        return
    except Exception:
        logger.exception("Import job %s failed", job_id)
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            error_message=_("The import stopped on an unexpected error; nothing was changed."),
        )
        raise
    if not result.ok:
        # The data changed between the preview and the run (another import came first).
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            error_message="\n".join(result.errors),
            counts=result.as_dict(),
        )
        return
    _finish(job, status=ImportJob.Status.DONE, counts=result.as_dict())


def _finish(job: ImportJob, *, status: str, error_message: str = "", counts=None) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        error_message=error_message,
        counts=counts or {},
        progress=F("total") if status == ImportJob.Status.DONE else F("progress"),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
