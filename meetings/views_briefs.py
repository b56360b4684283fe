"""A meeting's documents: the leave-behind brief (start one in a language, edit it, download
the kept PDF), the internal meeting pack and the outcome report as PDFs.

Briefs and the pack are internal: for the meeting's organisation and its author (others get
404). Editing a brief takes an editor role. The report is for whoever may read the meeting's
outcome report. Pack and report downloads go in the audit trail.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from advocacy import pdf
from advocacy.models import AuditEvent
from advocacy.services import audit_record
from meetings import access, briefs
from meetings.models import Brief, Meeting


def _get_internal_meeting(request: HttpRequest, pk: int) -> tuple[Meeting, access.Access]:
    meeting = access.get_meeting(
        request.user, pk, Meeting.objects.select_related("organisation", "campaign")
    )
    allowed = access.meeting_access(request.user, meeting)
    if not allowed.internal:
        raise Http404
    return meeting, allowed


def _get_brief(request: HttpRequest, pk: int, *, edit: bool = False) -> Brief:
    brief = get_object_or_404(Brief.objects.filter(kind=Brief.Kind.LEAVE_BEHIND), pk=pk)
    meeting, allowed = _get_internal_meeting(request, brief.meeting_id)
    if edit and not allowed.can_edit:
        raise PermissionDenied
    brief.meeting = meeting
    return brief


@login_required
@require_GET
def brief_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting's briefs by language, each with its PDF; start one in another language."""
    meeting, allowed = _get_internal_meeting(request, pk)
    language_form = briefs.BriefLanguageForm(initial={"language": translation.get_language()})
    leave_behinds = list(meeting.briefs.filter(kind=Brief.Kind.LEAVE_BEHIND).order_by("language"))
    for brief in leave_behinds:
        brief.is_current = briefs.brief_is_current(brief)
    context = {
        "meeting": meeting,
        "access": allowed,
        "briefs": leave_behinds,
        "language_form": language_form,
    }
    return render(request, "meetings/brief_list.html", context)


@login_required
@require_POST
def brief_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, allowed = _get_internal_meeting(request, pk)
    if not allowed.can_edit:
        raise PermissionDenied
    form = briefs.BriefLanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a language for the brief."))
        return redirect("meetings:brief", pk=meeting.pk)
    brief = briefs.brief_start(
        meeting=meeting, language=form.cleaned_data["language"], created_by=request.user
    )
    return redirect("meetings:brief_update", pk=brief.pk)


@login_required
def brief_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the brief's content; saving makes the PDF again."""
    brief = _get_brief(request, pk, edit=True)
    if request.method == "POST" and "reset" in request.POST:
        briefs.brief_update(
            brief=brief, content=briefs.brief_defaults(brief.meeting, brief.language)
        )
        messages.success(request, _("The brief is back to the campaign's content."))
        return redirect("meetings:brief_update", pk=brief.pk)
    form = briefs.BriefForm(
        request.POST or None,
        initial=briefs.BriefForm.initial_from(brief.content),
        language=brief.language,
    )
    if request.method == "POST" and form.is_valid():
        briefs.brief_update(brief=brief, content=form.content())
        brief.refresh_from_db()
        if briefs.brief_is_current(brief):
            messages.success(request, _("Brief saved. Its PDF is ready to download."))
        else:
            messages.success(request, _("Brief saved. Its PDF is being made."))
        return redirect("meetings:brief", pk=brief.meeting_id)
    status = 400 if form.is_bound else 200
    context = {"brief": brief, "meeting": brief.meeting, "form": form}
    return render(request, "meetings/brief_form.html", context, status=status)


@login_required
@require_GET
def brief_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The kept PDF; made here and now if the worker has not made it since the last edit (or
    the file went missing from storage)."""
    brief = _get_brief(request, pk)
    ready = briefs.brief_is_current(brief) and brief.pdf.storage.exists(brief.pdf.name)
    if not ready and not briefs.brief_render(brief=brief):
        # Edited again while it was being made: this download gets the newest content, and
        # the worker keeps that edit's PDF.
        brief.refresh_from_db()
        rendered, filename = briefs.brief_pdf(brief)
        return pdf.pdf_response(rendered.pdf, filename)
    brief.refresh_from_db()
    with brief.pdf.open("rb") as kept:
        content = kept.read()
    return pdf.pdf_response(content, briefs.brief_filename(brief))


def _record_export(request: HttpRequest, meeting: Meeting, document: str) -> None:
    audit_record(
        action=AuditEvent.Action.EXPORTED,
        actor=request.user,
        organisation=meeting.organisation,
        target=meeting,
        detail={"document": document, "format": "pdf"},
        request=request,
    )


@login_required
@require_GET
def pack_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The internal meeting pack, made fresh: the dossier changes as the campaign goes on."""
    meeting, _allowed = _get_internal_meeting(request, pk)
    content, filename = briefs.pack_pdf(meeting, request.user, translation.get_language())
    _record_export(request, meeting, "meeting_pack")
    return pdf.pdf_response(content, filename)


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The outcome report, for whoever may read it: never notes or off-record parts."""
    meeting = get_object_or_404(
        access.reports_visible_to(request.user, Meeting.objects.select_related("organisation")),
        pk=pk,
    )
    content, filename = briefs.report_pdf(meeting, translation.get_language())
    _record_export(request, meeting, "meeting_report")
    return pdf.pdf_response(content, filename)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/brief/", brief_page, name="brief"),
    path("<int:pk>/brief/new/", brief_create, name="brief_create"),
    path("briefs/<int:pk>/edit/", brief_update, name="brief_update"),
    path("briefs/<int:pk>/download/", brief_download, name="brief_download"),
    path("<int:pk>/pack.pdf", pack_download, name="pack_pdf"),
    path("<int:pk>/report.pdf", report_download, name="report_pdf"),
]
