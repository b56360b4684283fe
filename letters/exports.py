"""Letter actions out as CSV: the signatories (for editors only, audit-logged by the view:
they hold supporters' addresses) and the results by target.

UTF-8 with a byte-order mark so spreadsheets read any script; a cell that a spreadsheet
would run as a formula gets a leading quote, as in the directory's export.
"""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from contacts.exports import safe_cell
from letters.models import LetterAction, Signatory
from letters.results import Results


def _stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


SIGNATORY_HEADER = [
    "name",
    "email",
    "organisation",
    "title",
    "role",
    "constituency",
    "address",
    "language",
    "signed_up",
    "email_confirmed",
    "consent_to_be_named",
    "consent_to_be_contacted",
]


def signatories_of(action: LetterAction) -> list[Signatory]:
    """Every signatory of the action, confirmed or not (the columns say which)."""
    return list(
        Signatory.objects.filter(action=action).select_related("area").order_by("name", "pk")
    )


def signatories_csv(signatories: list[Signatory]) -> str:
    """One row per signatory, with their address: only for those who may edit the action,
    and kept in the audit trail (the view checks and records it)."""
    rows = [
        [
            s.name,
            s.email,
            s.organisation_name,
            s.title,
            s.get_role_display(),
            s.area.name if s.area_id else "",
            " / ".join(line.strip() for line in s.address.splitlines() if line.strip()),
            s.language,
            _stamp(s.created_at),
            _stamp(s.email_confirmed_at),
            _stamp(s.consent_named_at),
            _stamp(s.consent_contact_at),
        ]
        for s in signatories
    ]
    return _csv(SIGNATORY_HEADER, rows)


RESULTS_HEADER = [
    "target",
    "letters_written",
    "letters_sent",
    "letters_failed",
    "replies",
    "replied",
    "latest_reply",
    "nobody_wrote",
]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def results_csv(results: Results) -> str:
    """One row per target: letters written, sent and failed, replies, and whether the target
    replied ("yes" or "no"; empty when no letter went out to them, as the page's response
    rate counts them); "yes" in the last column for a target nobody wrote to (not, before
    launch, one of a co-signed letter or FOI requests: their letters are made at launch)."""
    rows = [
        [
            row.person.name,
            row.written,
            row.sent,
            row.failed,
            row.replies,
            _yes_no(row.replied),
            row.latest_reply.isoformat() if row.latest_reply else "",
            "yes" if row.nobody_wrote else "",
        ]
        for row in results.by_target
    ]
    return _csv(RESULTS_HEADER, rows)
