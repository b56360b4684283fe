"""Treaties and where each country stands: the world table (sortable, filterable), a country's
status with its history, and status lists imported from CSV files.

Statuses are shared reference data, like the directory: everyone signed in reads them;
coordinators and admins change them and import lists.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_countries import countries

from advocacy.models import ImportJob, Membership, Organisation
from campaigns import forms, services, treaty_import
from campaigns.models import Treaty, TreatyStatus, TreatyStatusChange
from contacts.imports import ImportRejected
from contacts.models import Country

STAFF_ROLES = (Membership.Role.ADMIN, Membership.Role.COORDINATOR)
Status = TreatyStatus.Status
Stage = TreatyStatus.Stage


def _staff_organisations(request: HttpRequest) -> QuerySet[Organisation]:
    """Organisations where the user coordinates or administers: who may change statuses."""
    return Organisation.objects.filter(
        memberships__user=request.user, memberships__role__in=STAFF_ROLES
    ).distinct()


def _require_staff(request: HttpRequest) -> Organisation:
    organisation = _staff_organisations(request).first()
    if organisation is None:
        raise PermissionDenied
    return organisation


@login_required
def treaty_list(request: HttpRequest) -> HttpResponse:
    parties = Q(statuses__status__in=TreatyStatus.PARTY_STATUSES)
    treaties = Treaty.objects.annotate(
        parties=Count("statuses", filter=parties),
        signatories=Count("statuses", filter=Q(statuses__status=Status.SIGNATORY)),
    )
    return render(request, "campaigns/treaty_list.html", {"treaties": treaties})


# The world table


def _text_key(text: str) -> str:
    """Sorts names without regard to case or accents: Côte d'Ivoire among the Cs."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class Column:
    key: str
    label: Promise


COLUMNS = [
    Column("country", gettext_lazy("Country")),
    Column("status", gettext_lazy("Status")),
    Column("signed", gettext_lazy("Signed")),
    Column("consent", gettext_lazy("Ratified or acceded")),
    Column("in_force", gettext_lazy("In force for it")),
    Column("stage", gettext_lazy("Decision stage")),
]
STATUS_ORDER = {value: index for index, value in enumerate(Status.values)}
STAGE_ORDER = {value: index for index, value in enumerate(Stage.values)}
SORT_VALUES = {
    "status": lambda s: STATUS_ORDER[s.status],
    "signed": lambda s: s.signed_on,
    "consent": lambda s: s.consent_on,
    "in_force": lambda s: s.entry_into_force_on,
    # No process under way sorts after every stage.
    "stage": lambda s: STAGE_ORDER[s.stage] if s.stage else None,
}


def sort_statuses(statuses: list[TreatyStatus], key: str, descending: bool) -> list[TreatyStatus]:
    """Sorted on one column, then by country; rows without a value come last either way."""
    by_country = sorted(statuses, key=lambda s: _text_key(s.country.display_name))
    if key not in SORT_VALUES:
        return by_country[::-1] if descending else by_country
    value = SORT_VALUES[key]
    known = [s for s in by_country if value(s) is not None]
    unknown = [s for s in by_country if value(s) is None]
    # sorted() is stable: within equal values the country order stays.
    return sorted(known, key=value, reverse=descending) + unknown


def _summary(statuses: list[TreatyStatus]) -> list[dict]:
    """Counts by status, in the order of the statuses, with where each sits on the bar."""
    counts = Counter(status.status for status in statuses)
    total = sum(counts.values()) or 1
    rows, x = [], 0.0
    for value, label in Status.choices:
        share = counts[value] * 100 / total
        rows.append(
            {"value": value, "label": label, "count": counts[value], "x": x, "width": share}
        )
        x += share
    return rows


@login_required
def treaty_detail(request: HttpRequest, code: str) -> HttpResponse:
    treaty = get_object_or_404(Treaty, code=code)
    jump = request.GET.get("country", "").upper()
    if jump in countries:
        return redirect("campaigns:treaty_status", code=treaty.code, country=jump)
    statuses = list(treaty.statuses.select_related("country"))
    summary = _summary(statuses)
    shown = request.GET.get("status", "")
    if shown in Status.values:
        statuses = [s for s in statuses if s.status == shown]
    sort = request.GET.get("sort", "country")
    sort = sort if sort in {c.key for c in COLUMNS} else "country"
    descending = request.GET.get("order") == "desc"
    context = {
        "treaty": treaty,
        "statuses": sort_statuses(statuses, sort, descending),
        "summary": summary,
        "recorded": sum(row["count"] for row in summary),
        "shown_status": shown if shown in Status.values else "",
        "columns": COLUMNS,
        "sort": sort,
        "descending": descending,
        "changes": TreatyStatusChange.objects.filter(treaty_status__treaty=treaty)
        .select_related("treaty_status__country", "changed_by")
        .order_by("-created_at", "-id")[:10],
        "can_edit": _staff_organisations(request).exists(),
    }
    template = "campaigns/treaty_detail.html"
    if request.htmx:
        template += "#treaty-table"
    return render(request, template, context)


# One country's status


@login_required
def treaty_status(request: HttpRequest, code: str, country: str) -> HttpResponse:
    """A country's status with a treaty and its history; coordinators and admins edit it."""
    treaty = get_object_or_404(Treaty, code=code)
    country_code = country.upper()
    country_row = Country.objects.filter(pk=country_code).first()
    if country_row is None:
        # Country rows exist only for countries something mentions; any ISO code may be set.
        if country_code not in countries:
            raise Http404
        country_row = Country(code=country_code, name=countries.name(country_code))
    status = TreatyStatus.objects.filter(
        treaty=treaty, country_id=country_code
    ).first() or TreatyStatus(treaty=treaty, country=country_row)
    can_edit = _staff_organisations(request).exists()
    form = forms.TreatyStatusForm(
        request.POST if request.method == "POST" else None, instance=status
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            Country.objects.get_or_create(code=country_code, defaults={"name": country_row.name})
            services.treaty_status_save(
                status=form.save(commit=False),
                changed_by=request.user,
                changed_on=form.cleaned_data["changed_on"],
                note=form.cleaned_data["change_note"],
                source=form.cleaned_data["source"],
            )
            messages.success(
                request,
                _("%(country)s: status saved.") % {"country": country_row.display_name},
            )
            return redirect("campaigns:treaty_status", code=treaty.code, country=country_code)
    changes = (
        status.changes.select_related("changed_by").order_by("-changed_on", "-id")
        if status.pk
        else []
    )
    context = {
        "treaty": treaty,
        "country": country_row,
        "status": status if status.pk else None,
        "changes": changes,
        "form": form,
        "can_edit": can_edit,
    }
    return render(request, "campaigns/treaty_status.html", context)


# Importing status lists


def _get_job_for_user(request: HttpRequest, pk: int) -> ImportJob:
    """A treaty import its author, or a coordinator or admin of its organisation, may follow."""
    jobs = ImportJob.objects.filter(kind=treaty_import.KIND).filter(
        Q(created_by=request.user) | Q(organisation__in=_staff_organisations(request))
    )
    return get_object_or_404(jobs.select_related("created_by"), pk=pk)


@login_required
def treaty_import_upload(request: HttpRequest, code: str) -> HttpResponse:
    treaty = get_object_or_404(Treaty, code=code)
    organisation = _require_staff(request)
    form = forms.TreatyUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job, _table = treaty_import.import_job_create(
                treaty=treaty,
                data=upload.read(),
                file_name=upload.name or "statuses.csv",
                created_by=request.user,
                organisation=organisation,
            )
        except ImportRejected as error:
            form.add_error("file", str(error))
        else:
            return redirect("campaigns:treaty_import_columns", pk=job.pk)
    jobs = ImportJob.objects.filter(
        kind=treaty_import.KIND, options__treaty=treaty.code
    ).select_related("created_by")[:10]
    context = {"treaty": treaty, "form": form, "jobs": jobs}
    return render(request, "campaigns/treaty_import.html", context)


@login_required
def treaty_import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    """Say which column is which; "Preview" runs the import without writing."""
    job = _get_job_for_user(request, pk)
    _require_staff(request)
    if job.status != ImportJob.Status.READY:
        return redirect("campaigns:treaty_import_job", pk=job.pk)
    treaty = get_object_or_404(Treaty, code=job.options.get("treaty"))
    table = treaty_import.job_table(job)
    mapping = treaty_import.Mapping.from_dict(job.options.get("mapping", {}))
    data = request.POST if request.method == "POST" else None
    form = forms.ColumnMappingForm(data, table=table, mapping=mapping)
    result = None
    # "Show its words" only re-reads the status column's words: the form is shown again.
    if data is not None and "preview" in data and form.is_valid():
        result = treaty_import.import_job_preview(job=job, mapping=form.mapping())
        if result.ok:
            return redirect("campaigns:treaty_import_job", pk=job.pk)
    context = {
        "job": job,
        "treaty": treaty,
        "form": form,
        "table": table,
        "sample": table.sample(5),
        "result": result,
    }
    template = "campaigns/treaty_import_columns.html"
    if request.htmx and "preview" not in (data or {}):
        template += "#status-words"
    return render(request, template, context)


@login_required
def treaty_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview, then progress, then outcome of an import. For htmx, only the progress
    region, which polls itself while the job runs; without JavaScript, a reload shows it."""
    job = _get_job_for_user(request, pk)
    treaty = Treaty.objects.filter(code=job.options.get("treaty")).first()
    if job.status == ImportJob.Status.READY and not job.preview:
        return redirect("campaigns:treaty_import_columns", pk=job.pk)
    names = dict(Status.choices)
    report = job.counts if job.counts else job.preview
    changes = [
        change
        | {
            "country_name": Country(code=change["country"]).display_name,
            "before_label": names.get(change["before"], ""),
            "after_label": names.get(change["after"], ""),
        }
        for change in report.get("changes", [])
    ]
    context = {
        "job": job,
        "treaty": treaty,
        "report": report,
        "changes": changes,
        "changes_cut": len(changes) >= treaty_import.TreatyImportResult.MAX_CHANGES,
        "can_confirm": treaty_import.job_is_ready(job) and _staff_organisations(request).exists(),
    }
    template = "campaigns/treaty_import_job.html"
    if request.htmx:
        template += "#import-progress"
    return render(request, template, context)


@require_POST
@login_required
def treaty_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job_for_user(request, pk)
    _require_staff(request)
    if treaty_import.import_job_queue(job=job):
        messages.success(request, _("The import has started."))
    return redirect("campaigns:treaty_import_job", pk=job.pk)


urlpatterns: list[URLPattern] = [
    path("treaties/", treaty_list, name="treaty_list"),
    path("treaties/imports/<int:pk>/", treaty_import_job, name="treaty_import_job"),
    path("treaties/imports/<int:pk>/columns/", treaty_import_columns, name="treaty_import_columns"),
    path("treaties/imports/<int:pk>/confirm/", treaty_import_confirm, name="treaty_import_confirm"),
    path("treaties/<slug:code>/", treaty_detail, name="treaty"),
    path("treaties/<slug:code>/import/", treaty_import_upload, name="treaty_import"),
    path("treaties/<slug:code>/<str:country>/", treaty_status, name="treaty_status"),
]
