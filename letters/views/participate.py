"""Taking part as a campaigner or partner: the action's "take part" page (their assigned
targets first), writing to one target with the similarity meter and the talking points
beside it, signing a co-signed letter, and their own letters.

The writing page is shared with supporters (letters.views.public): `letter_page` and
`similarity_fragment` take the writer and the URLs from the caller.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.models import Person
from letters import merge, participation
from letters import participation_forms as forms
from letters.models import ActionTarget, Letter, LetterAction, Signatory
from letters.similarity import band, is_nearly_identical, words

TARGETS_PAGE = 50
LETTERS_PAGE = 25
METER = "letters/participate/_letter_form.html#similarity-meter"


def talking_points(action: LetterAction) -> list[str]:
    return [line.strip(" -•*\t") for line in action.talking_points.splitlines() if line.strip()]


def meter(score: float | None, action: LetterAction, body: str | None = None) -> dict:
    """What the similarity meter shows. An empty letter (`body` without a word) is nothing
    to thank anyone for: the meter asks for the letter instead."""
    return {
        "percent": participation.percent(score),
        "band": band(score),
        "nudge": not action.is_cosigned and is_nearly_identical(score),
        "empty": body is not None and not words(body),
    }


def cosigned_text(action: LetterAction, language: str) -> dict | None:
    """A co-signed letter's text as its first target reads it (example values when there is
    none yet), to read before signing. Three queries."""
    template = action.template_for(language)
    if template is None:
        return None
    first = action.targets.select_related("person").first()
    values = {**merge.example_values(), **merge.action_values(action)}
    if first is not None:
        values.update(merge.target_values([first.person])[first.person_id])
    return {
        "subject": merge.render(template.subject, values),
        "body": merge.render(template.body, values),
        "person": first.person if first else None,
    }


def similarity_fragment(
    request: HttpRequest,
    *,
    action: LetterAction,
    person: Person,
    signatory: Signatory,
    letter: Letter | None,
) -> HttpResponse:
    """The meter for the text being typed, without saving it (htmx)."""
    body = request.POST.get("body", "")
    score = participation.similarity_to_template(
        action=action,
        person=person,
        signatory=signatory,
        body=body,
        language=request.GET.get("language") or (letter.language if letter else None),
    )
    return render(request, METER, {"meter": meter(score, action, body)})


def letter_page(
    request: HttpRequest,
    *,
    action: LetterAction,
    person: Person,
    signatory: Signatory,
    letter: Letter | None,
    similarity_url: str,
    back_url: str,
    back_label: str,
) -> HttpResponse:
    """Write, save and submit one letter. Before the first save the page shows the template
    rendered for the target; nothing is stored until the writer saves or submits. The page
    links back to `back_url`, the link named `back_label`."""
    user = request.user if request.user.is_authenticated else None
    editable = action.takes_part and (letter is None or letter.is_editable)
    prefetch_related_objects([action], "templates")
    languages = participation.letter_languages(action)
    chosen = request.GET.get("language")
    if chosen not in dict(languages) or not editable:
        chosen = None
    replaces = False
    if letter is None or (chosen and chosen != letter.language):
        # Before the first save, or another version of the text chosen: the template
        # rendered for the target, stored only when the writer saves.
        try:
            template, subject, body = participation.template_text(
                action=action, person=person, signatory=signatory, language=chosen
            )
        except participation.ParticipationError as error:
            messages.error(request, error.messages[0])
            return redirect(back_url)
        initial, score, language = {"subject": subject, "body": body}, 1.0, template.language
        replaces = letter is not None
    else:
        initial, score = {"subject": letter.subject, "body": letter.body}, letter.similarity
        language = letter.language
    if chosen:
        similarity_url += "?" + urlencode({"language": language})
    body = initial["body"]
    data = request.POST if request.method == "POST" else None
    form = forms.LetterForm(
        data, initial=initial, similarity_url=similarity_url if editable else ""
    )
    status = 200
    if data is not None:
        status = 400
        if not editable:
            form.is_valid()
            form.add_error(None, _("This letter can no longer change."))
        elif form.is_valid():
            try:
                letter = _save(action, person, signatory, letter, form, user, language)
                if "submit" in data:
                    letter = participation.letter_submit(letter=letter)
                    messages.success(request, _submitted_message(letter))
                else:
                    messages.success(request, _("Your letter is saved."))
                return redirect(request.path)
            except participation.ParticipationError as error:
                form.add_error(None, error)
                score = getattr(error, "similarity", letter.similarity if letter else score)
        else:
            body = data.get("body", "")
            score = participation.similarity_to_template(
                action=action, person=person, signatory=signatory, body=body, language=language
            )
    return render(
        request,
        "letters/participate/letter_write.html",
        {
            "action": action,
            "person": person,
            "letter": letter,
            "form": form,
            "editable": editable,
            "meter": meter(score, action, body),
            "talking_points": talking_points(action),
            "back_url": back_url,
            "back_label": back_label,
            "languages": languages if editable and len(languages) > 1 else [],
            "language": language,
            "replaces": replaces,
        },
        status=status,
    )


@transaction.atomic
def _save(action, person, signatory, letter, form, user, language) -> Letter:
    if signatory.pk is None:
        # A user's signatory is made (or claimed from a supporter's sign-up) on first save.
        signatory = participation.signatory_for_user(action=action, user=user)
    if letter is None:
        letter = participation.letter_start(
            action=action, target=person, signatory=signatory, user=user, language=language
        )
    return participation.letter_save(
        letter=letter,
        subject=form.cleaned_data["subject"],
        body=form.cleaned_data["body"],
        language=language,
    )


def _submitted_message(letter: Letter) -> str:
    if letter.state == Letter.State.SUBMITTED:
        return _("Submitted. A coordinator reads it before it goes out.")
    return _("Submitted. Your letter is ready and goes out on the day.")


# Campaigners and partners ------------------------------------------------------------------


def _get_action(request: HttpRequest, pk: int) -> LetterAction:
    return get_object_or_404(
        LetterAction.objects.visible_to(request.user).select_related("campaign"), pk=pk
    )


def _get_writer_action(request: HttpRequest, pk: int) -> LetterAction:
    action = _get_action(request, pk)
    if not participation.can_write(request.user):
        raise PermissionDenied
    return action


def _letter_day_context(request: HttpRequest, action: LetterAction) -> dict:
    """Their assigned targets, then a page of the others (searchable by name), each with the
    letter they started, if any. Five queries."""
    user = request.user
    targets = action.targets.select_related("person")
    assigned = list(targets.filter(assigned_to=user))
    others = targets.exclude(assigned_to=user)
    query = request.GET.get("q", "").strip()
    if query:
        others = others.filter(person__name__icontains=query)
    page = Paginator(others, TARGETS_PAGE).get_page(request.GET.get("page"))
    letters = {
        letter.target_id: letter
        for letter in Letter.objects.filter(action=action, signatory__user=user).only(
            "pk", "target_id", "state", "similarity", "review_note"
        )
    }
    shown = [*assigned, *page]
    values = merge.target_values([target.person for target in shown])
    for target in shown:
        target.my_letter = letters.get(target.person_id)
        about = values[target.person_id]
        fields = ("target.title", "target.constituency", "target.party")
        target.about = " · ".join(about[field] for field in fields if about[field])
    return {"assigned": assigned, "page": page, "query": query}


def _take_part(
    request: HttpRequest, action: LetterAction, cosign_form=None, status: int = 200
) -> HttpResponse:
    context = {
        "action": action,
        "writer": participation.can_write(request.user),
        "talking_points": talking_points(action),
    }
    if not action.takes_part:
        pass
    elif action.kind == LetterAction.Kind.LETTER_DAY:
        context.update(_letter_day_context(request, action))
    elif action.is_cosigned:
        signatory = Signatory.objects.filter(action=action, user=request.user).first()
        signed = signatory is not None and signatory.consent_named_at is not None
        context.update(
            signed=signed,
            signatures=participation.signature_count(action),
            text=cosigned_text(action, request.LANGUAGE_CODE),
            cosign_form=cosign_form
            or forms.CosignForm(
                initial={
                    "role": Signatory.Role.CAMPAIGNER,
                    "organisation_name": signatory.organisation_name if signatory else "",
                    "title": signatory.title if signatory else "",
                }
            ),
        )
    return render(request, "letters/participate/take_part.html", context, status=status)


@login_required
def take_part(request: HttpRequest, pk: int) -> HttpResponse:
    return _take_part(request, _get_action(request, pk))


@login_required
@require_POST
def cosign(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_writer_action(request, pk)
    form = forms.CosignForm(request.POST)
    if not form.is_valid():
        return _take_part(request, action, cosign_form=form, status=400)
    try:
        participation.signatory_cosign(
            action=action,
            user=request.user,
            organisation_name=form.cleaned_data["organisation_name"],
            title=form.cleaned_data["title"],
            role=form.cleaned_data["role"],
        )
    except participation.ParticipationError as error:
        form.add_error(None, error)
        return _take_part(request, action, cosign_form=form, status=400)
    messages.success(request, _("You have signed the letter."))
    return redirect("letters:take_part", action.pk)


def _writing(request: HttpRequest, pk: int, person_pk: int):
    action = _get_writer_action(request, pk)
    if action.kind != LetterAction.Kind.LETTER_DAY:
        return action, None, None, None
    target = get_object_or_404(
        ActionTarget.objects.select_related("person"), action=action, person_id=person_pk
    )
    signatory = participation.signatory_for_user(action=action, user=request.user, create=False)
    letter = None
    if signatory.pk is not None:
        letter = (
            Letter.objects.filter(action=action, target=target.person, signatory=signatory)
            .select_related("action__campaign", "target", "signatory__area")
            .first()
        )
    return action, target.person, signatory, letter


@login_required
def write(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    action, person, signatory, letter = _writing(request, pk, person_pk)
    if person is None:
        return redirect("letters:take_part", action.pk)
    if letter is None and not action.takes_part:
        return redirect("letters:take_part", action.pk)
    return letter_page(
        request,
        action=action,
        person=person,
        signatory=signatory,
        letter=letter,
        similarity_url=reverse("letters:write_similarity", args=[pk, person_pk]),
        back_url=reverse("letters:take_part", args=[pk]),
        back_label=_("Back to the people this action writes to"),
    )


@login_required
@require_POST
def write_similarity(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    action, person, signatory, letter = _writing(request, pk, person_pk)
    if person is None:
        raise PermissionDenied
    return similarity_fragment(
        request, action=action, person=person, signatory=signatory, letter=letter
    )


@login_required
def my_letters(request: HttpRequest) -> HttpResponse:
    """The letters the user wrote, newest first. Four queries."""
    letters = (
        Letter.objects.visible_to(request.user)
        .filter(signatory__user=request.user)
        .select_related("action", "target")
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(letters, LETTERS_PAGE).get_page(request.GET.get("page"))
    return render(request, "letters/participate/my_letters.html", {"page": page})


urlpatterns: list[URLPattern] = [
    path("mine/", my_letters, name="my_letters"),
    path("<int:pk>/take-part/", take_part, name="take_part"),
    path("<int:pk>/take-part/sign/", cosign, name="cosign"),
    path("<int:pk>/take-part/<int:person_pk>/", write, name="write"),
    path(
        "<int:pk>/take-part/<int:person_pk>/similarity/",
        write_similarity,
        name="write_similarity",
    ),
]
