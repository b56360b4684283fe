"""Meetings: the list, the page (internal or shared), planning and editing, cancelling,
and the outcome report shared with the coalition."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from contacts.models import Institution, Person
from meetings import access, forms, services
from meetings.models import Meeting

PAGE_SIZE = 25
ATTENDEES = "attendees"


def _get_meeting_for_editor(request: HttpRequest, pk: int, queryset=None) -> Meeting:
    meeting = access.get_meeting(request.user, pk, queryset)
    if not access.meeting_access(request.user, meeting).can_edit:
        raise PermissionDenied
    return meeting


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    visible = Meeting.objects.visible_to(request.user)
    campaigns = list(
        Campaign.objects.visible_to(request.user)
        .filter(pk__in=visible.values("campaign"))
        .order_by("name", "pk")
    )
    form = forms.MeetingFilterForm(request.GET or None, campaigns=campaigns)
    meetings = form.filter(visible.for_list())
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "meetings/meeting_list.html"
    if request.htmx:
        template += "#meeting-results"
    return render(request, template, {"page": page, "filter_form": form})


def _internal_context(request: HttpRequest, meeting: Meeting) -> dict:
    return {
        "dossier": services.dossier(meeting, request.user),
        "note_blocks": meeting.note_blocks(),
    }


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting as its organisation sees it (preparation, notes, dossier), or the shared
    view for a partner who sees a meeting shared with the coalition."""
    meeting = access.get_meeting(request.user, pk, Meeting.objects.for_detail())
    allowed = access.meeting_access(request.user, meeting)
    # As the outcome report shows them: who now stands where, never the note behind it.
    stance_changes = services.meeting_stance_changes(meeting).select_related(
        "person", "institution"
    )
    context = {"meeting": meeting, "access": allowed, "stance_changes": list(stance_changes)}
    if allowed.internal:
        context.update(_internal_context(request, meeting))
    return render(request, "meetings/meeting_detail.html", context)


@login_required
def meeting_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The outcome report: what the coalition may read, never notes or off-record parts."""
    meeting = get_object_or_404(
        access.reports_visible_to(request.user, Meeting.objects.for_detail()), pk=pk
    )
    stance_changes = services.meeting_stance_changes(meeting).select_related(
        "person", "institution"
    )
    context = {"meeting": meeting, "stance_changes": list(stance_changes)}
    return render(request, "meetings/meeting_report.html", context)


# Planning and editing


def _with_added_row(data: QueryDict | None) -> tuple[QueryDict | None, bool]:
    """The posted data with one more attendee row when "Add someone" was pressed: the way to
    add rows without JavaScript."""
    if data is None or "add_attendee" not in data:
        return data, False
    data = data.copy()
    key = f"{ATTENDEES}-TOTAL_FORMS"
    if data.get(key, "").isdigit():
        data[key] = str(int(data[key]) + 1)
    return data, True


def _quiet(form, formset) -> None:
    """No errors while the user is still choosing people (a search, a new row)."""
    form._errors = ErrorDict()
    for row in formset.forms:
        row._errors = ErrorDict()
    formset._non_form_errors = ErrorList()


def _prefill(request: HttpRequest) -> tuple[dict, list[dict]]:
    """Initial values from the page the user came from: ?person=, ?institution=, ?campaign=."""
    initial, attendee = {}, {}
    person_id = request.GET.get("person", "")
    institution_id = request.GET.get("institution", "")
    campaign_id = request.GET.get("campaign", "")
    person = Person.objects.filter(pk=person_id).first() if person_id.isdigit() else None
    if person is not None:
        attendee["person"] = person.pk
        institution = services.first_institution(person)
        if institution is not None:
            attendee["institution"] = institution.pk
    if institution_id.isdigit() and Institution.objects.filter(pk=institution_id).exists():
        attendee["institution"] = int(institution_id)
    if campaign_id.isdigit():
        initial["campaign"] = int(campaign_id)
    return initial, [attendee] if attendee else []


def _meeting_form(
    request: HttpRequest,
    meeting: Meeting,
    *,
    initial: dict | None = None,
    attendees_initial: list[dict] | None = None,
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    data, adding = _with_added_row(data)
    if meeting.pk and initial is None:
        initial = {"cadence_days": services.check_in_cadence(meeting)}
    form = forms.MeetingForm(data, instance=meeting, user=request.user, initial=initial)
    # Initial rows only on the first showing: posted back unchanged they must still count.
    formset = forms.AttendeeFormSet(
        data,
        instance=meeting,
        prefix=ATTENDEES,
        initial=attendees_initial if data is None else None,
    )
    status = 200
    if data is not None:
        if adding or data.get("_lookup"):
            _quiet(form, formset)
        elif form.is_valid() and formset.is_valid():
            creating = meeting.pk is None
            saved = services.meeting_save(
                meeting=form.save(commit=False),
                user=request.user,
                our_attendees=form.cleaned_data["our_attendees"],
                attendees=formset,
                cadence_days=form.cleaned_data["cadence_days"],
                request=request,
            )
            messages.success(
                request,
                _("Meeting planned. Its prep checklist is ready.")
                if creating
                else _("Meeting saved."),
            )
            return redirect(saved)
        else:
            status = 400
    context = {"form": form, "formset": formset, "meeting": meeting if meeting.pk else None}
    return render(request, "meetings/meeting_form.html", context, status=status)


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not forms.editor_organisations(request.user).exists():
        messages.error(request, _("Viewers cannot plan meetings; ask an admin for a new role."))
        return redirect("meetings:list")
    initial, attendees = _prefill(request)
    return _meeting_form(request, Meeting(), initial=initial, attendees_initial=attendees)


@login_required
def meeting_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_form(request, _get_meeting_for_editor(request, pk))


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting_for_editor(request, pk)
    services.meeting_cancel(meeting=meeting, user=request.user, request=request)
    messages.success(request, _("Meeting cancelled."))
    return redirect(meeting)


@login_required
@require_POST
def meeting_share(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting_for_editor(request, pk)
    shared = request.POST.get("shared") == "1"
    services.meeting_share(meeting=meeting, user=request.user, shared=shared, request=request)
    if shared:
        messages.success(request, _("The outcome report is shared with the coalition."))
    else:
        messages.success(request, _("The outcome report is no longer shared."))
    return redirect(meeting)


urlpatterns: list[URLPattern] = [
    path("", meeting_list, name="list"),
    path("new/", meeting_create, name="create"),
    path("<int:pk>/", meeting_detail, name="detail"),
    path("<int:pk>/edit/", meeting_update, name="update"),
    path("<int:pk>/cancel/", meeting_cancel, name="cancel"),
    path("<int:pk>/share/", meeting_share, name="share"),
    path("<int:pk>/report/", meeting_report, name="report"),
]
