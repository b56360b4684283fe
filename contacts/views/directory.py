"""Finding people: the directory page, its htmx fragments, and its CSV and vCard exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from advocacy import services
from advocacy.models import AuditEvent
from contacts import exports
from contacts.filters import PAGE_SIZE, DirectoryFilterForm, country_names
from contacts.models import Person, Position, Stance

TEMPLATE = "contacts/directory.html"
# The part of the form whose lists follow the chosen country (see the template).
SCOPED_TARGET = "directory-scoped-filters"
# Only what a row shows: biographies and search documents stay in the database.
ROW_FIELDS = ("name", "honorific_prefix", "sort_name", "updated_at")


@dataclass
class Row:
    person: Person
    url: str
    positions: list[Position]
    country: str
    # The current stance in the chosen campaign; None when there is no campaign or
    # nobody has assessed the person.
    stance: Stance | None


@dataclass
class Page:
    rows: list[Row]
    number: int
    has_next: bool
    # Links that keep the filters: the list itself, its neighbours, its exports.
    url: str
    previous_url: str
    next_url: str
    csv_url: str
    vcard_url: str

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1


def _shown_positions(current_only: bool) -> Prefetch:
    # Few joins on purpose: country names come from the institution's country code
    # (django-countries has them in every language), so the country table is not joined.
    positions = Position.objects.select_related("institution", "party", "area").only(
        "person_id",
        "role",
        "post_label",
        "start_date",
        "end_date",
        "institution__name",
        "institution__country_id",
        "party__name",
        "party__short_name",
        "area__name",
        "area__country_id",
    )
    if current_only:
        positions = positions.current()
    positions = positions.order_by(
        F("end_date").desc(nulls_first=True), F("start_date").desc(nulls_last=True), "id"
    )
    return Prefetch("positions", queryset=positions, to_attr="shown_positions")


def _country_code(positions: list[Position]) -> str:
    """The country of the first position that has one."""
    for position in positions:
        code = position.institution.country_id or (position.area and position.area.country_id)
        if code:
            return code
    return ""


def _person_url() -> Callable[[int], str]:
    """Person page addresses for a whole page of rows: reverse() costs more than the rest
    of a row, and the pattern is the same for every person."""
    marker = 987654321
    head, tail = reverse("contacts:person", args=[marker]).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def _page(form: DirectoryFilterForm) -> Page:
    number = form.cleaned_data["page"]
    start = (number - 1) * PAGE_SIZE
    people = form.people().only(*ROW_FIELDS).prefetch_related(_shown_positions(form.current_only))
    if form.stance_campaign:
        people = people.annotate(stance_now=form.current_stance())
    # One row more than a page tells whether there is a next page, without counting.
    found = list(people[start : start + PAGE_SIZE + 1])
    shown = found[:PAGE_SIZE]
    codes = {person.pk: _country_code(person.shown_positions) for person in shown}
    names = country_names()
    person_url = _person_url()
    rows = [
        Row(
            person=person,
            url=person_url(person.pk),
            positions=person.shown_positions,
            country=names.get(codes[person.pk], codes[person.pk]),
            stance=Stance(person.stance_now) if getattr(person, "stance_now", None) else None,
        )
        for person in shown
    ]
    return Page(
        rows=rows,
        number=number,
        has_next=len(found) > PAGE_SIZE,
        url=_with_query("contacts:directory", form.query(page=number)),
        previous_url=_with_query("contacts:directory", form.query(page=number - 1)),
        next_url=_with_query("contacts:directory", form.query(page=number + 1)),
        csv_url=_with_query("contacts:directory_csv", form.query()),
        vcard_url=_with_query("contacts:directory_vcard", form.query()),
    )


def _with_query(name: str, query: str) -> str:
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _varies(response: HttpResponse) -> HttpResponse:
    # The same URL answers with a fragment for htmx and a page otherwise; caches must
    # not hand one for the other (the back button after a swap, for one).
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@login_required
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Find anyone: free-text search, filters, sorting; the filters live in the URL."""
    form = DirectoryFilterForm(request.GET, user=request.user)
    valid = form.is_valid()
    # Going back in history, htmx asks for the whole page again (it keeps no copy).
    fragment = request.htmx and not request.htmx.history_restore_request
    if fragment and request.htmx.target == SCOPED_TARGET:
        # The country changed: redraw the lists of its institutions, parties, committees.
        return _varies(render(request, f"{TEMPLATE}#{SCOPED_TARGET}", {"form": form}))
    page = _page(form) if valid else None
    template = f"{TEMPLATE}#directory-results" if fragment else TEMPLATE
    response = render(request, template, {"form": form, "page": page})
    if fragment and page:
        # The address bar shows the short form of the filters, not every empty field.
        push_url(response, page.url)
    return _varies(response)


# Exports


def _invalid_export(request: HttpRequest, form: DirectoryFilterForm) -> HttpResponse:
    return render(request, TEMPLATE, {"form": form, "page": None}, status=400)


def _record_export(
    request: HttpRequest,
    *,
    file_format: str,
    form: DirectoryFilterForm | None = None,
    person: Person | None = None,
) -> None:
    campaign = form.stance_campaign if form else None
    detail = {"format": file_format}
    if form is not None:
        detail["filters"] = exports.filters_of(request.GET)
    services.audit_record(
        action=AuditEvent.Action.EXPORTED,
        actor=request.user,
        # Stances belong to the campaign's organisation: its activity page shows the export.
        organisation=campaign.organisation if campaign else None,
        target=person,
        detail=detail,
        request=request,
    )


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _list_filename(extension: str) -> str:
    return f"directory-{timezone.localdate():%Y-%m-%d}.{extension}"


@login_required
@require_GET
def directory_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV, in the columns the CSV import reads; streamed."""
    form = DirectoryFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _invalid_export(request, form)
    _record_export(request, file_format="csv", form=form)
    people = exports.for_export(form.people(), current_only=form.current_only)
    response = StreamingHttpResponse(
        exports.people_csv(people), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, _list_filename("csv"))


@login_required
@require_GET
def directory_vcard(request: HttpRequest) -> HttpResponse:
    """The filtered list as one vCard 3.0 file, a card per person; streamed."""
    form = DirectoryFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _invalid_export(request, form)
    _record_export(request, file_format="vcard", form=form)
    people = exports.for_export(form.people(), current_only=form.current_only)
    response = StreamingHttpResponse(
        exports.people_vcards(people), content_type="text/vcard; charset=utf-8"
    )
    return _attachment(response, _list_filename("vcf"))


@login_required
@require_GET
def person_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's card, to add them to a phone's contacts."""
    person = get_object_or_404(exports.for_export(Person.objects.all()), pk=pk)
    _record_export(request, file_format="vcard", person=person)
    response = HttpResponse(exports.vcard(person), content_type="text/vcard; charset=utf-8")
    return _attachment(response, exports.vcard_filename(person))


urlpatterns: list[URLPattern] = [
    path("", directory, name="directory"),
    path("export.csv", directory_csv, name="directory_csv"),
    path("export.vcf", directory_vcard, name="directory_vcard"),
    path("people/<int:pk>/vcard/", person_vcard, name="person_vcard"),
]
