"""The coordinator's pages: letter actions listed, created and edited; an action's overview
with its progress, its templates, its targets and its letters; launching, taking back,
closing, approving and retrying."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.models import AuditEvent, Membership
from advocacy.services import audit_record
from campaigns.models import Campaign
from contacts.models import Person
from letters import access, coordination, forms, merge, participation, services, targets
from letters.models import ActionTarget, Letter, LetterAction, LetterTemplate

PAGE_SIZE = 25
TARGETS_PAGE_SIZE = 50
LETTERS_PAGE_SIZE = 50
# The progress bar asks again this often while letters are going out.
POLL_SECONDS = 2
LIVE_STATES = (LetterAction.State.SCHEDULED, LetterAction.State.SENDING)


# The shared header ----------------------------------------------------------------------


def action_links(action: LetterAction) -> dict[str, str]:
    """The action's pages and downloads that apply to its kind and settings, for the
    overview and the tabs every action page shares (templates/letters/_action_header.html)."""
    links = {}
    if action.takes_part and not action.is_foi:  # the organisation sends a request itself
        links["take_part"] = reverse("letters:take_part", args=[action.pk])
    if action.is_printed:
        links["pdf_combined"] = reverse("letters:combined_pdf", args=[action.pk])
    if action.is_cosigned:
        links["signatories_csv"] = reverse("letters:signatories_csv", args=[action.pk])
    if action.public_page:
        links["public"] = reverse("letters:public", args=[action.public_key])
    return links


def action_context(action: LetterAction, tab: str, **extra) -> dict:
    """What an action page's template needs for the shared header and its tabs (`tab` is
    the current one: detail, templates, targets, letters or results), and `extra`."""
    return {"action": action, "tab": tab, "links": action_links(action), **extra}


def _back(action: LetterAction, view: str = "letters:detail", query: str = "") -> HttpResponse:
    url = reverse(view, args=[action.pk])
    return redirect(f"{url}?{query}" if query else url)


def _show_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# The list --------------------------------------------------------------------------------


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    visible = LetterAction.objects.visible_to(request.user)
    campaigns = list(
        Campaign.objects.visible_to(request.user)
        .filter(pk__in=visible.values("campaign"))
        .order_by("name", "pk")
    )
    form = forms.ActionFilterForm(request.GET or None, campaigns=campaigns)
    actions = form.filter(visible.for_list())
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": form,
        "can_create": _may_create(request.user),
    }
    template = "letters/action_list.html"
    if request.htmx:
        template += "#action-results"
    return render(request, template, context)


# Creating and editing --------------------------------------------------------------------


def _may_create(user) -> bool:
    """Whether the user works on an active campaign: a new action belongs to one."""
    return Campaign.objects.editable_by(user).filter(is_active=True).exists()


def _action_form(request: HttpRequest, action: LetterAction | None) -> HttpResponse:
    initial = {}
    if action is None and request.GET.get("campaign", "").isdigit():
        initial["campaign"] = int(request.GET["campaign"])
    if action is None and request.GET.get("kind") in LetterAction.Kind.values:
        initial["kind"] = request.GET["kind"]
    data = request.POST if request.method == "POST" else None
    form = forms.ActionForm(data, instance=action, initial=initial, user=request.user)
    if data is not None and form.is_valid():
        saved = form.save()
        audit_record(
            action=AuditEvent.Action.UPDATED if action else AuditEvent.Action.CREATED,
            actor=request.user,
            organisation=saved.organisation,
            target=saved,
            detail={"changed": form.changed_data},
            request=request,
        )
        messages.success(request, _("Saved.") if action else _("Letter action created."))
        return redirect(saved)
    return render(request, "letters/action_form.html", {"form": form, "action": action})


@login_required
def action_create(request: HttpRequest) -> HttpResponse:
    if not _may_create(request.user):
        messages.error(
            request, _("A letter action belongs to a campaign you work on: start one first.")
        )
        return redirect("letters:list")
    return _action_form(request, None)


@login_required
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action(request.user, pk, edit=True)
    return _action_form(request, action)


# The overview and its progress ---------------------------------------------------------


def _progress_context(action: LetterAction) -> dict:
    progress = services.action_progress(action)
    counts = services.target_counts(action)
    context = {
        "progress": progress,
        "target_count": counts["targets"],
        "unwritten": counts["unwritten"] if action.unwritten_is_gap else 0,
        "delivery_passed": action.state in (LetterAction.State.OPEN, LetterAction.State.SCHEDULED)
        and services.delivery_passed(action),
        "polling": action.state in LIVE_STATES,
        "poll_seconds": POLL_SECONDS,
    }
    if action.is_cosigned:
        context["signatories"] = services.signatory_counts(action)
    return context


@login_required
def action_detail(request: HttpRequest, pk: int, *, launch_errors=None) -> HttpResponse:
    action = access.get_action(
        request.user,
        pk,
        queryset=LetterAction.objects.select_related(
            "launched_by", "foi_country", "created_by"
        ).prefetch_related("templates"),
    )
    context = action_context(action, "detail", launch_errors=launch_errors or [])
    context.update(_progress_context(action))
    context["languages"] = [t.get_language_display() for t in action.templates.all()]
    # The call to take part, for those who may write (editors do; others are asked).
    context["can_write"] = "take_part" in context["links"] and (
        action.can_edit or participation.can_write(request.user)
    )
    if action.can_edit and action.is_changeable and not launch_errors:
        # What stands between the action and its launch, before anyone presses the button.
        context["missing"] = services.launch_problems(action)
    return render(request, "letters/action_detail.html", context)


@login_required
def action_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, for htmx to poll while the letters go out."""
    if not request.htmx:
        return redirect("letters:detail", pk=pk)
    action = access.get_action(request.user, pk)
    context = {"action": action, **_progress_context(action)}
    response = render(request, "letters/action_detail.html#action-progress", context)
    response["Cache-Control"] = "no-store"
    return response


def _state_change(
    change: Callable[..., object], success: Callable[[object], str]
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A POST that moves the action through one of the lifecycle services; a refusal
    (LaunchError) shows every reason on the overview."""

    def view(request: HttpRequest, pk: int) -> HttpResponse:
        action = access.get_action(request.user, pk, edit=True)
        try:
            result = change(action=action, user=request.user, request=request)
        except ValidationError as error:
            return action_detail(request, pk, launch_errors=error.messages)
        messages.success(request, success(result))
        return _back(action)

    return login_required(require_POST(view))


action_open = _state_change(
    services.action_open, lambda _result: _("The action is open: people can write now.")
)


@login_required
def action_launch(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what launching will do (how many letters, who gets none, whether the delivery
    time has passed), to confirm. POST: launch."""
    action = access.get_action(request.user, pk, edit=True)
    if request.method != "POST":
        problems = services.launch_problems(action)
        if problems:
            return action_detail(request, pk, launch_errors=problems)
        context = action_context(action, "detail", preview=services.launch_preview(action))
        if action.is_cosigned:
            context["signatories"] = services.signatory_counts(action)
        return render(request, "letters/action_confirm_launch.html", context)
    try:
        count = services.action_launch(action=action, user=request.user, request=request)
    except ValidationError as error:
        return action_detail(request, pk, launch_errors=error.messages)
    message = ngettext(
        "Launched: %(count)s letter scheduled; more follow as they are ready.",
        "Launched: %(count)s letters scheduled; more follow as they are ready.",
        count,
    ) % {"count": count}
    unwritten = services.target_counts(action)["unwritten"]
    if unwritten:
        message += " " + ngettext(
            "%(count)s target has no letter yet.",
            "%(count)s targets have no letter yet.",
            unwritten,
        ) % {"count": unwritten}
    messages.success(request, message)
    return _back(action)


action_unschedule = _state_change(
    services.action_unschedule,
    lambda _count: _("Taken back: nothing will go out until you launch it again."),
)


@login_required
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what closing stops, to confirm. POST: close."""
    action = access.get_action(request.user, pk, edit=True)
    if action.state == LetterAction.State.CLOSED:
        return _back(action)
    if request.method != "POST":
        progress = services.action_progress(action)
        context = action_context(action, "detail", progress=progress)
        return render(request, "letters/action_confirm_close.html", context)
    services.action_close(action=action, user=request.user, request=request)
    messages.success(request, _("Closed: no more letters or signatures."))
    return _back(action)


action_retry_failed = _state_change(
    services.action_retry_failed,
    lambda count: (
        ngettext(
            "%(count)s failed letter will be sent again.",
            "%(count)s failed letters will be sent again.",
            count,
        )
        % {"count": count}
    ),
)


# Templates -------------------------------------------------------------------------------


def _languages(action: LetterAction) -> list[dict]:
    written = {t.language for t in action.templates.all()}
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "written": code in written,
            "url": reverse("letters:template", args=[action.pk, code]),
        }
        for code, _name in settings.LANGUAGES
    ]


def _fields(action: LetterAction) -> list[merge.Field]:
    return [f for f in merge.FIELDS.values() if not (action.is_cosigned and f.per_signatory)]


@dataclass
class Preview:
    subject: str
    body: str
    # Fields the template uses that came out empty here (a target without a constituency).
    empty: list[merge.Field]


def _preview(
    action: LetterAction, template: LetterTemplate, target: ActionTarget | None
) -> Preview:
    """The template for the target, or for example values; the writer's own fields show
    examples (nobody in particular writes here), or the organisation for an FOI request
    (which has no role or constituency). Says which of its fields came out empty."""
    examples = merge.example_values()
    if target is not None:
        values = merge.target_values([target.person])[target.person_id]
    else:
        values = {k: v for k, v in examples.items() if k.startswith("target.")}
    signatory = {k: v for k, v in examples.items() if k.startswith("signatory.")}
    if action.is_foi:  # a request is signed by the organisation, as launching writes it
        signatory = services._organisation_values(action)
    action_values = merge.action_values(action)
    subject, body = merge.letter_text(
        template, target=values, action=action_values, signatory=signatory
    )
    empty = merge.empty_fields(
        [template.subject, template.body], {**action_values, **values, **signatory}
    )
    return Preview(subject, body, empty)


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise Http404


@login_required
def template_index(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action(request.user, pk)
    written = list(action.templates.values_list("language", flat=True))
    language = (
        settings.LANGUAGE_CODE if not written or settings.LANGUAGE_CODE in written else written[0]
    )
    return redirect("letters:template", pk=pk, language=language)


@login_required
def template_edit(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """The letter in one language: subject and body with their merge fields, the list of
    fields, and a preview. Without JavaScript, "Preview" posts the form without saving."""
    _check_language(language)
    action = access.get_action(
        request.user, pk, queryset=LetterAction.objects.prefetch_related("templates")
    )
    existing = next((t for t in action.templates.all() if t.language == language), None)
    editable = action.can_edit and action.is_changeable
    data = request.POST if request.method == "POST" else None
    if data is not None and not editable:
        raise PermissionDenied
    form = forms.TemplateForm(data, instance=existing, action=action, language=language)
    preview_form = forms.PreviewForm(data, action=action)
    previewing = data is not None and "preview" in data
    if data is not None and not previewing and form.is_valid():
        saved = form.save()
        audit_record(
            action=AuditEvent.Action.UPDATED,
            actor=request.user,
            organisation=action.organisation,
            target=action,
            detail={"template": saved.language},
            request=request,
        )
        messages.success(request, _("The letter is saved."))
        return redirect("letters:template", pk=pk, language=language)
    preview = None
    if data is None and existing is not None:
        preview = _preview(action, existing, preview_form.chosen_target())
    elif data is not None and form.is_valid():
        preview = _preview(action, form.instance, preview_form.chosen_target())
    context = action_context(
        action,
        "templates",
        form=form,
        preview_form=preview_form,
        preview=preview,
        template=existing,
        language=language,
        # In the page's language ("The letter in French"); the tabs name each in its own.
        language_name=dict(settings.LANGUAGES)[language],
        direction="rtl" if forms.is_right_to_left(language) else "ltr",
        languages=_languages(action),
        fields=_fields(action),
        editable=editable,
    )
    return render(request, "letters/action_templates.html", context)


@login_required
@require_POST
def template_preview(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """The preview alone, for htmx while the author types; the errors when there are. It
    runs on each keystroke: neither whether the user edits the action nor the list of
    targets to preview for is needed to draw it."""
    _check_language(language)
    action = access.get_visible(request.user, pk)
    form = forms.TemplateForm(request.POST, action=action, language=language)
    preview_form = forms.PreviewForm(request.POST, action=action, listed=False)
    preview = None
    if form.is_valid():
        preview = _preview(action, form.instance, preview_form.chosen_target())
    context = {
        "action": action,
        "form": form,
        "preview": preview,
        "language": language,
        "direction": "rtl" if forms.is_right_to_left(language) else "ltr",
    }
    return render(request, "letters/action_templates.html#template-preview", context)


@login_required
def template_delete(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """GET: the letter in that language, to confirm. POST: remove it."""
    _check_language(language)
    action = access.get_action(request.user, pk, edit=True)
    if not action.is_changeable:
        raise PermissionDenied
    template = get_object_or_404(LetterTemplate, action=action, language=language)
    template.action = action
    if request.method == "POST":
        services.template_delete(template=template, user=request.user, request=request)
        messages.success(request, _("That language's version is removed."))
        return redirect("letters:templates", pk=pk)
    context = action_context(
        action, "templates", template=template, language_name=dict(settings.LANGUAGES)[language]
    )
    return render(request, "letters/template_confirm_delete.html", context)


# Targets ---------------------------------------------------------------------------------


def _filter_data(request: HttpRequest) -> QueryDict:
    """The directory's filters in the query string, without the list's own parameters."""
    data = request.GET.copy()
    data.pop("tpage", None)
    data.pop("unwritten", None)
    return data


@login_required
def target_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The action's targets, each marked when it has no letter yet (`?unwritten=1`: only
    those); for its editors, the directory's filters to choose them."""
    action = access.get_action(request.user, pk)
    changeable = action.can_edit and action.is_changeable
    gaps = action.unwritten_is_gap
    unwritten = gaps and request.GET.get("unwritten") == "1"
    paginator = Paginator(targets.targets_for_list(action, unwritten=unwritten), TARGETS_PAGE_SIZE)
    context = action_context(
        action,
        "targets",
        changeable=changeable,
        total=services.target_counts(action)["targets"] if unwritten else paginator.count,
        unwritten=unwritten,
        marks_unwritten=gaps,
    )
    if unwritten:
        context["unwritten_count"] = paginator.count
    if changeable:
        form = targets.filter_form(action, _filter_data(request), user=request.user)
        context["filter_form"] = form
        # Without any filter there is nothing to preview: the whole directory is no list.
        if form.is_valid() and form.query(page=""):
            context["preview"] = targets.preview(form, action)
            # Targets now that the filter does not find: "make these the targets" removes
            # them, but for those somebody wrote to.
            context["left_out"] = targets.left_out(action, form)
        if request.htmx and request.htmx.target == "target-chooser":
            return render(request, "letters/action_targets.html#target-chooser", context)
    page = paginator.get_page(request.GET.get("tpage"))
    aides = targets.aides_of(t.person_id for t in page) if action.copies_aides else {}
    pdf_url = _pdf_url(action)
    for target in page:
        target.aides = aides.get(target.person_id, [])
        target.pdf_url = pdf_url(target) if pdf_url and action.can_edit else ""
    context["page"] = page
    if action.can_edit:
        context["choice_form"] = forms.TargetsChoiceForm(
            action=action, assignees=coordination.assignees(action)
        )
    return render(request, "letters/action_targets.html", context)


def _pdf_url(action: LetterAction) -> Callable[[ActionTarget], str] | None:
    """The download of a target's letters (printed) or of the co-signed letter to them."""
    if not (action.is_printed or action.is_cosigned):
        return None
    name = "letters:cosigned_pdf" if action.is_cosigned else "letters:target_pdf"
    return lambda target: reverse(name, args=[action.pk, target.pk])


def _query(request: HttpRequest) -> str:
    """The filter the coordinator was looking at, to return to it."""
    query = request.POST.get("query", "")
    return query if len(query) <= 1000 else ""


@login_required
@require_POST
def targets_apply(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action(request.user, pk, edit=True)
    query = _query(request)
    if not query:
        messages.error(
            request, _("Choose at least one filter: the whole directory is never a target list.")
        )
        return _back(action, "letters:targets")
    form = targets.filter_form(action, QueryDict(query), user=request.user)
    if not form.is_valid():
        messages.error(request, _("The filters have errors: correct them first."))
        return _back(action, "letters:targets", query)
    try:
        applied = targets.targets_apply(
            action=action,
            form=form,
            replace=request.POST.get("replace") == "1",
            user=request.user,
            request=request,
        )
    except ValidationError as error:
        _show_errors(request, error)
        return _back(action, "letters:targets")
    if applied.added or applied.removed or applied.kept:
        message = ngettext(
            "%(added)s person added as a target.",
            "%(added)s people added as targets.",
            applied.added,
        ) % {"added": applied.added}
    else:
        message = _("Nobody new: they are all targets already.")
    if applied.removed:
        message += " " + _("%(removed)s removed.") % {"removed": applied.removed}
    if applied.kept:
        message += " " + _(
            "%(kept)s kept although the filter leaves them out: somebody wrote to them."
        ) % {"kept": applied.kept}
    messages.success(request, message)
    return _back(action, "letters:targets")


@login_required
@require_POST
def target_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action(request.user, pk, edit=True)
    person_id = request.POST.get("person", "")
    person = get_object_or_404(Person, pk=person_id) if person_id.isdigit() else None
    if person is None:
        return _back(action, "letters:targets", _query(request))
    try:
        targets.target_add(action=action, person=person, user=request.user, request=request)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("%(name)s added.") % {"name": person.name})
    return _back(action, "letters:targets", _query(request))


@login_required
@require_POST
def target_remove(request: HttpRequest, pk: int, target: int) -> HttpResponse:
    action = access.get_action(request.user, pk, edit=True)
    row = get_object_or_404(ActionTarget.objects.select_related("person"), pk=target, action=action)
    row.action = action
    try:
        targets.target_remove(target=row, user=request.user, request=request)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("%(name)s removed.") % {"name": row.person.name})
    return _back(action, "letters:targets", _query(request))


@login_required
def target_update(request: HttpRequest, pk: int, target: int) -> HttpResponse:
    """One target's time zone and who writes to them."""
    action = access.get_action(request.user, pk, edit=True)
    row = get_object_or_404(ActionTarget.objects.select_related("person"), pk=target, action=action)
    data = request.POST if request.method == "POST" else None
    form = forms.TargetForm(data, instance=row, assignees=coordination.assignees(action))
    if not action.is_changeable:
        form.fields["time_zone"].disabled = True
        form.fields["time_zone"].help_text = _("Take the action back to change this.")
    if data is not None and form.is_valid():
        targets.target_update(
            target=row,
            time_zone=form.cleaned_data["time_zone"],
            assigned_to=form.cleaned_data["assigned_to"],
        )
        messages.success(request, _("Saved."))
        return _back(action, "letters:targets")
    context = action_context(action, "targets", form=form, target=row)
    return render(request, "letters/target_form.html", context)


def _chosen_targets(request: HttpRequest, action: LetterAction) -> forms.TargetsChoiceForm | None:
    form = forms.TargetsChoiceForm(
        request.POST, action=action, assignees=coordination.assignees(action)
    )
    if form.is_valid():
        return form
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return None


@login_required
@require_POST
def targets_assign(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action(request.user, pk, edit=True)
    form = _chosen_targets(request, action)
    if form is not None:
        count = coordination.targets_assign(
            action=action,
            targets=form.cleaned_data["targets"],
            assignee=form.cleaned_data["assignee"],
            user=request.user,
        )
        message = ngettext("%(count)s target assigned.", "%(count)s targets assigned.", count)
        messages.success(request, message % {"count": count})
    return _back(action, "letters:targets")


@login_required
@require_POST
def targets_delivered(request: HttpRequest, pk: int) -> HttpResponse:
    """Printed letters handed over or posted: their letters count as sent."""
    action = access.get_action(request.user, pk, edit=True)
    form = _chosen_targets(request, action)
    if form is not None:
        count = services.targets_mark_delivered(
            action=action, targets=form.cleaned_data["targets"], user=request.user, request=request
        )
        message = ngettext(
            "%(count)s letter marked delivered.", "%(count)s letters marked delivered.", count
        )
        messages.success(request, message % {"count": count})
    return _back(action, "letters:targets")


# Letters ---------------------------------------------------------------------------------


@login_required
def letter_list(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action(request.user, pk)
    form = forms.LetterFilterForm(request.GET or None)
    letters = form.filter(
        Letter.objects.filter(action=action)
        .select_related("target", "signatory__area")
        .annotate(member_role=_member_role(action))
        .order_by("target__sort_name", "target__name", "pk")
    )
    page = Paginator(letters, LETTERS_PAGE_SIZE).get_page(request.GET.get("page"))
    for letter in page:
        letter.writer_role = _writer_role(letter)
    progress = services.action_progress(action)
    context = action_context(
        action,
        "letters",
        page=page,
        filter_form=form,
        progress=progress,
        waiting=progress["counts"][Letter.State.SUBMITTED],
        send_back_form=forms.SendBackForm(),
        query=urlencode({"state": form.data.get("state", "")}) if form.is_bound else "",
    )
    template = "letters/action_letters.html"
    if request.htmx:
        template += "#letter-results"
    return render(request, template, context)


def _member_role(action: LetterAction) -> Subquery:
    """The writer's role in the action's organisation, for writers with an account."""
    rows = Membership.objects.filter(
        user=OuterRef("signatory__user"), organisation=action.organisation_id
    ).values("role")[:1]
    return Subquery(rows)


def _writer_role(letter: Letter) -> str:
    """A member writes as what they are in the organisation ("Coordinator"); a supporter as
    what they said on the public page ("Constituent")."""
    if letter.signatory is None:
        return ""
    if letter.signatory.user_id:
        return Membership.Role(letter.member_role).label if letter.member_role else ""
    return letter.signatory.get_role_display()


def _get_letter(request: HttpRequest, pk: int, letter: int) -> tuple[LetterAction, Letter]:
    action = access.get_action(request.user, pk, edit=True)
    row = get_object_or_404(
        Letter.objects.select_related("signatory__user", "target"), pk=letter, action=action
    )
    row.action = action
    return action, row


def _back_to_letters(request: HttpRequest, action: LetterAction) -> HttpResponse:
    return _back(action, "letters:letters", _query(request))


@login_required
@require_POST
def letter_approve(request: HttpRequest, pk: int, letter: int) -> HttpResponse:
    action, row = _get_letter(request, pk, letter)
    if coordination.letter_approve(letter=row, user=request.user, request=request):
        messages.success(request, _("Approved: %(subject)s") % {"subject": row.subject})
    else:
        messages.error(request, _("That letter was not waiting for approval."))
    return _back_to_letters(request, action)


@login_required
@require_POST
def letters_approve(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action(request.user, pk, edit=True)
    count = coordination.letters_approve(
        action=action,
        letters=Letter.objects.filter(action=action),
        user=request.user,
        request=request,
    )
    message = ngettext("%(count)s letter approved.", "%(count)s letters approved.", count)
    messages.success(request, message % {"count": count})
    return _back_to_letters(request, action)


@login_required
def letter_send_back(request: HttpRequest, pk: int, letter: int) -> HttpResponse:
    """Back to the writer with a reason. The list has the form in place; this page is
    where it comes back with its errors."""
    action, row = _get_letter(request, pk, letter)
    form = forms.SendBackForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if coordination.letter_send_back(
            letter=row, user=request.user, reason=form.cleaned_data["reason"], request=request
        ):
            messages.success(
                request, _("Sent back to its writer: %(subject)s") % {"subject": row.subject}
            )
        else:
            messages.error(request, _("That letter is on its way already."))
        return _back_to_letters(request, action)
    context = action_context(action, "letters", form=form, letter=row, query=_query(request))
    return render(request, "letters/letter_send_back.html", context)


@login_required
@require_POST
def letter_retry(request: HttpRequest, pk: int, letter: int) -> HttpResponse:
    action, row = _get_letter(request, pk, letter)
    if services.letter_retry(letter=row, user=request.user, request=request):
        messages.success(request, _("It will be sent again in a moment."))
    elif not action.sends:
        messages.error(request, _("A closed action sends nothing any more."))
    else:
        messages.error(request, _("That letter had not failed."))
    return _back_to_letters(request, action)


urlpatterns: list[URLPattern] = [
    path("", action_list, name="list"),
    path("new/", action_create, name="create"),
    path("<int:pk>/", action_detail, name="detail"),
    path("<int:pk>/edit/", action_update, name="update"),
    path("<int:pk>/progress/", action_progress, name="progress"),
    path("<int:pk>/open/", action_open, name="open"),
    path("<int:pk>/launch/", action_launch, name="launch"),
    path("<int:pk>/unschedule/", action_unschedule, name="unschedule"),
    path("<int:pk>/close/", action_close, name="close"),
    path("<int:pk>/retry-failed/", action_retry_failed, name="retry_failed"),
    path("<int:pk>/templates/", template_index, name="templates"),
    path("<int:pk>/templates/<str:language>/", template_edit, name="template"),
    path("<int:pk>/templates/<str:language>/preview/", template_preview, name="template_preview"),
    path("<int:pk>/templates/<str:language>/delete/", template_delete, name="template_delete"),
    path("<int:pk>/targets/", target_list, name="targets"),
    path("<int:pk>/targets/apply/", targets_apply, name="targets_apply"),
    path("<int:pk>/targets/add/", target_add, name="target_add"),
    path("<int:pk>/targets/assign/", targets_assign, name="targets_assign"),
    path("<int:pk>/targets/delivered/", targets_delivered, name="targets_delivered"),
    path("<int:pk>/targets/<int:target>/", target_update, name="target"),
    path("<int:pk>/targets/<int:target>/remove/", target_remove, name="target_remove"),
    path("<int:pk>/letters/", letter_list, name="letters"),
    path("<int:pk>/letters/approve/", letters_approve, name="approve_all"),
    path("<int:pk>/letters/<int:letter>/approve/", letter_approve, name="approve"),
    path("<int:pk>/letters/<int:letter>/send-back/", letter_send_back, name="send_back"),
    path("<int:pk>/letters/<int:letter>/retry/", letter_retry, name="retry"),
]
