"""Moving the directory in and out: upload a Popolo or CSV file, preview it, import it in the
background with a progress bar; download the directory as Popolo JSON.

Importing changes the directory the whole deployment shares, so only coordinators and
admins may; everyone signed in may export.
"""

from __future__ import annotations

import json
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_countries import countries

from advocacy.models import AuditEvent, ImportJob, Membership, Organisation
from advocacy.services import audit_record
from contacts import imports
from contacts.csv_import import COLUMNS, template_csv
from contacts.popolo_export import popolo_export

IMPORTER_ROLES = (Membership.Role.ADMIN, Membership.Role.COORDINATOR)
KIND_LABELS = {
    "persons": gettext_lazy("People"),
    "organizations": gettext_lazy("Organisations"),
    "memberships": gettext_lazy("Positions"),
    "areas": gettext_lazy("Areas"),
    "posts": gettext_lazy("Posts"),
}


def _count_rows(summary: dict) -> list[dict]:
    """Per kind of record: how many the file has, and how many would be (or were) created,
    updated or left unchanged."""
    found, by_kind = summary.get("found", {}), summary.get("by_kind", {})
    empty = {"created": 0, "updated": 0, "unchanged": 0}
    return [
        {"label": label, "found": found.get(kind, 0)} | by_kind.get(kind, empty)
        for kind, label in KIND_LABELS.items()
        if found.get(kind) or any(by_kind.get(kind, empty).values())
    ]


def _country_choices() -> list[tuple[str, str]]:
    return [("", _("— as the file says —"))] + list(countries)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "Popolo JSON (.json), such as an EveryPolitician file, or CSV (.csv) laid out as "
            "the template; UTF-8, up to 50 MB."
        ),
    )
    country = forms.ChoiceField(
        label=gettext_lazy("Country"),
        required=False,
        help_text=gettext_lazy(
            "The country the file covers. Needed when the file does not say, as "
            "EveryPolitician files do not."
        ),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("On behalf of"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices()
        self.organisations = list(organisations)
        self.fields["organisation"].queryset = organisations
        if len(self.organisations) <= 1:
            # Nothing to choose: the import is recorded against the one organisation.
            del self.fields["organisation"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if "organisation" not in self.fields:
            cleaned["organisation"] = self.organisations[0] if self.organisations else None
        elif not cleaned.get("organisation"):
            self.add_error("organisation", _("Choose the organisation you import for."))
        return cleaned

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            imports.check_size(upload.size)
        except imports.ImportRejected as error:
            raise forms.ValidationError(str(error)) from error
        return upload


class ExportForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        # Its own ids: it shares a page with the import form, which has a country too.
        super().__init__(*args, auto_id="export_%s", **kwargs)
        self.fields["country"].choices = [("", _("The whole directory"))] + list(countries)


def _import_organisations(request: HttpRequest) -> QuerySet[Organisation]:
    """Organisations in which the user may import: those where they coordinate or administer."""
    return Organisation.objects.filter(
        memberships__user=request.user, memberships__role__in=IMPORTER_ROLES
    ).distinct()


def _get_job_for_user(request: HttpRequest, pk: int) -> ImportJob:
    """A job its author, or a coordinator or admin of its organisation, may follow."""
    organisations = _import_organisations(request)
    jobs = ImportJob.objects.filter(Q(created_by=request.user) | Q(organisation__in=organisations))
    return get_object_or_404(jobs.select_related("organisation", "created_by"), pk=pk)


def _kind_of(upload) -> str:
    """Popolo for .json (or content that starts like JSON), CSV otherwise."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix == ".json":
        return imports.POPOLO
    if suffix == ".csv":
        return imports.CSV
    start = upload.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    upload.seek(0)
    return imports.POPOLO if start[:1] in (b"{", b"[") else imports.CSV


@login_required
def transfer(request: HttpRequest) -> HttpResponse:
    """The import and export page; a POST uploads a file and shows what it would change."""
    organisations = _import_organisations(request)
    can_import = organisations.exists()
    if request.method == "POST" and not can_import:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = _kind_of(upload)
        try:
            job, result = imports.import_job_create(
                kind=kind,
                data=upload.read(),
                file_name=upload.name,
                country=form.cleaned_data["country"] or None,
                created_by=request.user,
                organisation=form.cleaned_data["organisation"],
            )
        except imports.CountryNeeded as error:
            form.add_error("country", str(error))
        except imports.ImportRejected as error:
            form.add_error("file", str(error))
        else:
            if job is not None:
                return redirect("contacts:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(
        Q(created_by=request.user) | Q(organisation__in=organisations),
        kind__in=imports.KINDS,
    ).select_related("created_by")[:10]
    context = {
        "form": form,
        "can_import": can_import,
        "result": result,
        "rows": _count_rows(result.as_dict()) if result else [],
        "export_form": ExportForm(),
        "jobs": jobs if can_import else [],
        "columns": COLUMNS,
    }
    return render(request, "contacts/transfer.html", context)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's preview, progress or outcome. For htmx, only the progress region, which
    polls itself every second while the job runs; without JavaScript, a reload shows it."""
    job = _get_job_for_user(request, pk)
    template = "contacts/import_job.html"
    if request.htmx:
        template += "#import-progress"
    context = {
        "job": job,
        "preview": job.preview,
        "preview_rows": _count_rows(job.preview),
        "counts": job.counts,
        "count_rows": _count_rows(job.counts),
        "can_confirm": job.status == ImportJob.Status.READY
        and _import_organisations(request).exists(),
    }
    return render(request, template, context)


@require_POST
@login_required
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job_for_user(request, pk)
    if not _import_organisations(request).exists():
        raise PermissionDenied
    if imports.import_job_queue(job=job):
        messages.success(request, _("The import has started."))
    return redirect("contacts:import_job", pk=job.pk)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="directory-import-template.csv"'
    return response


@login_required
def export_popolo(request: HttpRequest) -> HttpResponse:
    """The whole directory, or one country, as a Popolo JSON download."""
    form = ExportForm(request.GET or None)
    country = form.cleaned_data["country"] if form.is_valid() else ""
    data = popolo_export(country=country or None)
    membership = request.user.memberships.select_related("organisation").first()
    audit_record(
        action=AuditEvent.Action.EXPORTED,
        actor=request.user,
        organisation=membership.organisation if membership else None,
        detail={
            "format": "popolo",
            "country": country or "all",
            "persons": len(data["persons"]),
        },
        request=request,
    )
    stamp = timezone.localdate().isoformat()
    name = (
        f"directory-{country.lower()}-popolo-{stamp}.json"
        if country
        else (f"directory-popolo-{stamp}.json")
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("transfer/", transfer, name="transfer"),
    path("transfer/imports/<int:pk>/", import_job, name="import_job"),
    path("transfer/imports/<int:pk>/confirm/", import_confirm, name="import_confirm"),
    path("transfer/template.csv", import_template, name="import_template"),
    path("transfer/popolo.json", export_popolo, name="export_popolo"),
]
