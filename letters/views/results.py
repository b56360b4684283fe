"""One letter's page (its text, history, delivery and reply), the downloads of printed and
co-signed letters, and the results of an action (page, CSV, PDF report).

Whoever may see the action reads its letters and results (others get 404). Logging a reply,
downloading letters and the signatories take an editor of the action (viewers get 403).
Letter PDFs and CSV exports go in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from advocacy import pdf
from advocacy.models import AuditEvent
from advocacy.pdf import attachment_header
from advocacy.services import audit_record
from letters import access, exports, pdfs, replies, results
from letters.models import ActionTarget, Letter, LetterAction
from letters.views.actions import action_context

ACTION_FIELDS = ("campaign", "organisation", "foi_country")


def _get_action(request: HttpRequest, pk: int, *, edit: bool = False) -> LetterAction:
    return access.get_action(
        request.user, pk, edit=edit, queryset=LetterAction.objects.select_related("foi_country")
    )


def _record_export(request: HttpRequest, action: LetterAction, document: str, fmt: str, **more):
    audit_record(
        action=AuditEvent.Action.EXPORTED,
        actor=request.user,
        organisation=action.organisation,
        target=action,
        detail={"document": document, "format": fmt, **more},
        request=request,
    )


# One letter ---------------------------------------------------------------------------------


@dataclass
class Step:
    when: dt.datetime
    label: str
    detail: str = ""


def _history(letter: Letter, target: ActionTarget | None) -> list[Step]:
    """What happened to the letter, from its own stamps, oldest first. The approval steps show
    only when the action asks for approval (or the letter was approved while it did)."""
    approval = letter.action.requires_approval or letter.approved_at is not None
    steps = []
    if letter.submitted_at:
        label = _("Submitted for approval") if approval else _("Submitted")
        steps.append(Step(letter.submitted_at, label))
    if letter.approved_at:
        who = str(letter.approved_by) if letter.approved_by_id else ""
        steps.append(Step(letter.approved_at, _("Approved"), who))
    if letter.queued_at:
        steps.append(Step(letter.queued_at, _("Queued for sending")))
    if letter.claimed_at:
        printed = letter.action.is_printed
        steps.append(Step(letter.claimed_at, _("Printed") if printed else _("Sending started")))
    if letter.sent_at:
        label = _("Delivered") if letter.action.is_printed else _("Sent")
        steps.append(Step(letter.sent_at, label))
    elif target is not None and target.delivered_at:
        steps.append(Step(target.delivered_at, _("Delivered")))
    if letter.state in (Letter.State.FAILED, Letter.State.BOUNCED):
        steps.append(Step(letter.updated_at, letter.get_state_display(), letter.last_error))
    if letter.reply_logged_at:
        if letter.reported_by_writer:
            detail = _("reported by the writer")
        else:
            detail = str(letter.reply_logged_by) if letter.reply_logged_by_id else ""
        steps.append(Step(letter.reply_logged_at, _("Reply logged"), detail))
    # Written before anything else happened to it, whatever its record says (a letter
    # brought in with its past, as the demo's are, was recorded after it went out).
    written = min([letter.created_at, *(step.when for step in steps)])
    steps.insert(0, Step(written, _("Written")))
    # Stable: steps at the same moment keep the order in which a letter goes through them.
    return sorted(steps, key=lambda step: step.when)


def _letter_page(request, letter, target, can_edit, form, status=200) -> HttpResponse:
    zone = target.time_zone if target else letter.action.time_zone
    context = {
        "letter": letter,
        "action": letter.action,
        "target": target,
        "can_edit": can_edit,
        "form": form,
        "history": _history(letter, target),
        "zone": zone,
        "can_reply": letter.state in Letter.WENT_OUT,
        "direction": pdf.text_direction(letter.body or letter.subject),
    }
    return render(request, "letters/letter_detail.html", context, status=status)


@login_required
def letter_detail(request: HttpRequest, action_pk: int, pk: int) -> HttpResponse:
    """The letter, its history and delivery; editors log the reply here."""
    letter = get_object_or_404(
        Letter.objects.visible_to(request.user).select_related(
            *(f"action__{name}" for name in ACTION_FIELDS),
            "target",
            "signatory__area",
            "approved_by",
            "reply_logged_by",
        ),
        pk=pk,
        action_id=action_pk,
    )
    action = letter.action
    can_edit = access.can_edit(request.user, action)
    target = ActionTarget.objects.filter(action=action, person=letter.target_id).first()
    can_reply = letter.state in Letter.WENT_OUT
    # Editors log the reply; a writer with an account who may not edit the action reports it.
    as_writer = not can_edit and replies.can_report_reply(request.user, letter)
    if request.method == "POST":
        if not (can_edit or as_writer):
            raise PermissionDenied
        form = replies.ReplyForm(request.POST, letter=letter, writer=as_writer)
        if can_reply and form.is_valid():
            data = form.cleaned_data
            who = {"signatory": letter.signatory} if as_writer else {"user": request.user}
            try:
                replies.reply_log(
                    letter=letter,
                    kind=data["kind"],
                    received_on=data["received_on"],
                    summary=data["summary"],
                    commitment=data["commitment"],
                    stance=data.get("stance", ""),
                    request=request,
                    **who,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Reply logged."))
                return redirect(letter)
        elif not can_reply:
            form.add_error(None, _("A reply can be logged once the letter has gone out."))
        return _letter_page(request, letter, target, can_edit, form, status=400)
    form = None
    if (can_edit or as_writer) and can_reply:
        form = replies.ReplyForm(letter=letter, writer=as_writer)
    return _letter_page(request, letter, target, can_edit, form)


@login_required
@require_GET
def letter_download(request: HttpRequest, action_pk: int, pk: int) -> HttpResponse:
    action = _get_action(request, action_pk, edit=True)
    letter = get_object_or_404(Letter.objects.select_related("target"), pk=pk, action=action)
    letter.action = action
    content = pdfs.letter_pdf(letter)
    _record_export(request, action, "letter", "pdf", letter=letter.pk)
    return pdf.pdf_response(content, pdfs.letter_filename(letter))


# Printed and co-signed letters ---------------------------------------------------------------


def _target(action: LetterAction, target_pk: int) -> ActionTarget:
    target = get_object_or_404(
        ActionTarget.objects.select_related("person"), pk=target_pk, action=action
    )
    target.action = action
    return target


@login_required
@require_GET
def target_download(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    """Every letter to one target: the file printed on the day when there is one."""
    action = _get_action(request, pk, edit=True)
    target = _target(action, target_pk)
    content = None
    if target.pdf and target.pdf.storage.exists(target.pdf.name):
        with target.pdf.open("rb") as kept:
            content = kept.read()
    if content is None:
        content = pdfs.target_letters_pdf(target)
    _record_export(request, action, "target_letters", "pdf", target=target.person_id)
    return pdf.pdf_response(content, pdfs.target_filename(target))


@login_required
@require_GET
def cosigned_download(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    """The co-signed letter to one target with its signatories, made now."""
    action = _get_action(request, pk, edit=True)
    if not action.is_cosigned:  # there is no such letter: not a refusal
        raise Http404
    target = _target(action, target_pk)
    content = pdfs.cosigned_pdf(target)
    _record_export(request, action, "cosigned_letter", "pdf", target=target.person_id)
    return pdf.pdf_response(content, pdfs.target_filename(target))


@login_required
@require_GET
def combined_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Every target's letters in one file, for hand delivery."""
    action = _get_action(request, pk, edit=True)
    content = pdfs.combined_pdf(action)
    _record_export(request, action, "all_letters", "pdf")
    return pdf.pdf_response(content, pdfs.combined_filename(action))


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment_header(filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def signatories_download(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action(request, pk, edit=True)
    signatories = exports.signatories_of(action)
    text = exports.signatories_csv(signatories)
    # They hold supporters' addresses: who took them is kept.
    _record_export(request, action, "signatories", "csv", rows=len(signatories))
    return _csv_response(text, pdf.pdf_filename("signatories", action.title, extension="csv"))


# Results ------------------------------------------------------------------------------------


@login_required
@require_GET
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action(request, pk)
    context = action_context(
        action,
        "results",
        results=results.action_results(action),
        can_edit=action.can_edit,
        printable=action.is_printed or action.is_cosigned,
    )
    return render(request, "letters/results.html", context)


@login_required
@require_GET
def results_download_csv(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action(request, pk)
    text = exports.results_csv(results.action_results(action))
    _record_export(request, action, "results", "csv")
    day = timezone.localdate().isoformat()
    return _csv_response(text, pdf.pdf_filename("results", action.title, day, extension="csv"))


@login_required
@require_GET
def results_download_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action(request, pk)
    content = pdfs.results_pdf(results.action_results(action), language=translation.get_language())
    _record_export(request, action, "results", "pdf")
    return pdf.pdf_response(content, pdfs.results_filename(action))


urlpatterns: list[URLPattern] = [
    path("<int:action_pk>/letter/<int:pk>/", letter_detail, name="letter"),
    path("<int:action_pk>/letter/<int:pk>/letter.pdf", letter_download, name="letter_pdf"),
    path("<int:pk>/print/all.pdf", combined_download, name="combined_pdf"),
    path("<int:pk>/print/<int:target_pk>.pdf", target_download, name="target_pdf"),
    path("<int:pk>/cosigned/<int:target_pk>.pdf", cosigned_download, name="cosigned_pdf"),
    path("<int:pk>/signatories.csv", signatories_download, name="signatories_csv"),
    path("<int:pk>/results/", results_page, name="results"),
    path("<int:pk>/results.csv", results_download_csv, name="results_csv"),
    path("<int:pk>/results.pdf", results_download_pdf, name="results_pdf"),
]
