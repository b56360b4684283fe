"""Logging meetings: the quick log of an informal encounter, on one phone screen, and the
full write-up of a formal one, with its off-the-record markers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.models import Person
from meetings import access, forms, services
from meetings.models import Meeting, OffRecordSegment


@login_required
def quick_log(request: HttpRequest) -> HttpResponse:
    if not forms.editor_organisations(request.user).exists():
        messages.error(request, _("Viewers cannot log meetings; ask an admin for a new role."))
        return redirect("meetings:list")
    form = forms.QuickLogForm(request.POST or None, user=request.user)
    if request.method == "POST" and not form.searching() and form.is_valid():
        data = form.cleaned_data
        meeting = services.meeting_quick_log(
            user=request.user,
            organisation=data["organisation"],
            person=data["person"],
            line=data["line"],
            location=data["location"],
            campaign=data["campaign"],
            stance=data["stance"],
            follow_up_title=data["follow_up"],
            follow_up_owner=data["owner"],
            follow_up_due=data["due_on"],
            request=request,
        )
        messages.success(request, _("Logged."))
        return redirect(meeting)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "meetings/quick_log.html", {"form": form}, status=status)


def _write_up_forms(request: HttpRequest, meeting: Meeting) -> dict:
    data = request.POST if request.method == "POST" else None
    people = [a.person for a in meeting.attendees.all() if a.person_id]
    default_owner = meeting.follow_up_owner or request.user
    return {
        "form": forms.WriteUpForm(data, instance=meeting),
        "commitments": forms.CommitmentFormSet(
            data,
            instance=meeting,
            prefix="commitments",
            form_kwargs={"people": Person.objects.filter(pk__in=[p.pk for p in people])},
        ),
        "follow_ups": forms.FollowUpFormSet(
            data,
            instance=meeting,
            prefix="follow_ups",
            form_kwargs={
                "owners": forms.colleagues([meeting.organisation_id]),
                "default_owner": default_owner,
            },
        ),
        # Stance is assessed per campaign: without one there is nothing to update.
        "stances": forms.StanceUpdateForm(
            data, people=people if meeting.campaign_id else [], prefix="stance"
        ),
    }


@login_required
def meeting_write_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Notes, outcome, commitments, follow-ups and stance updates in one form.

    "Mark an off-the-record part" saves what is typed so far and records a marker where the
    notes have got to; the page comes back with the cursor in the notes.
    """
    meeting = access.get_meeting(request.user, pk, Meeting.objects.for_detail())
    if not access.meeting_access(request.user, meeting).can_edit:
        raise PermissionDenied
    parts = _write_up_forms(request, meeting)
    form = parts["form"]
    # Every part is validated (no short cut), so the page shows all errors at once.
    valid = [part.is_valid() for part in parts.values()] if request.method == "POST" else []
    if valid and all(valid):
        marking = request.POST.get("action") == "off_record"
        services.meeting_write_up(
            meeting=form.save(commit=False),
            user=request.user,
            finished=form.cleaned_data["finished"] and not marking,
            commitments=parts["commitments"],
            follow_ups=parts["follow_ups"],
            stances=parts["stances"].changes(),
            request=request,
        )
        if marking:
            services.off_record_mark(
                meeting=meeting,
                user=request.user,
                approx_minutes=form.cleaned_data["off_record_minutes"],
            )
            messages.success(
                request,
                _("Marked: a part was off the record. Carry on with what is on the record."),
            )
            return redirect(reverse("meetings:write_up", args=[pk]) + "?marked=1#id_notes")
        messages.success(request, _("Write-up saved."))
        return redirect(meeting)
    marked = request.method == "GET" and request.GET.get("marked") == "1"
    if marked:
        # The cursor goes on a new line, so what comes next is a paragraph after the marker.
        form.initial["notes"] = meeting.notes.rstrip() + "\n"
    context = {
        "meeting": meeting,
        **parts,
        "segments": list(meeting.off_record.all()),
        "marked": marked,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/meeting_write_up.html", context, status=status)


@login_required
@require_POST
def off_record_remove(request: HttpRequest, pk: int, segment_pk: int) -> HttpResponse:
    meeting = access.get_meeting(request.user, pk)
    if not access.meeting_access(request.user, meeting).can_edit:
        raise PermissionDenied
    get_object_or_404(OffRecordSegment, pk=segment_pk, meeting=meeting).delete()
    messages.success(request, _("Off-the-record marker removed."))
    return redirect("meetings:write_up", pk=pk)


urlpatterns: list[URLPattern] = [
    path("log/", quick_log, name="log"),
    path("<int:pk>/write-up/", meeting_write_up, name="write_up"),
    path(
        "<int:pk>/off-record/<int:segment_pk>/remove/",
        off_record_remove,
        name="off_record_remove",
    ),
]
