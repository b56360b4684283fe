"""The public side of a letter action, for supporters without an account.

The action's page (/letters/act/<public_key>/) with its sign-up form; "check your email",
which reads the same whatever happened; then everything else through the supporter's signed
link (Signatory.token): confirming the address, finding their representatives, writing,
personalising and submitting a letter, correcting their details, and later saying whether a
reply came. No page lists other signatories; a count is all anyone sees. Light pages that
work without JavaScript.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.services import client_ip
from letters import participation
from letters import participation_forms as forms
from letters.models import ActionTarget, Letter, LetterAction, Signatory
from letters.views.participate import (
    cosigned_text,
    letter_page,
    similarity_fragment,
    talking_points,
)


def _public_action(public_key: str) -> LetterAction:
    """A public action that is or was open: drafts, and requests sent by the organisation
    (FOI), have no public page."""
    action = (
        LetterAction.objects.select_related("campaign")
        .filter(public_key=public_key, public_page=True)
        .first()
    )
    if action is None or action.state == LetterAction.State.DRAFT or action.is_foi:
        raise Http404
    return action


def public_page(request: HttpRequest, public_key: str) -> HttpResponse:
    """The action, why it matters, and the sign-up form while it is open."""
    action = _public_action(public_key)
    form, status = None, 200
    if action.takes_part:
        form = forms.SignupForm(request.POST if request.method == "POST" else None, action=action)
        if form.is_bound:
            status = 400
            if form.is_valid():
                try:
                    signup = participation.supporter_signup(
                        action=action,
                        supporter=form.supporter(
                            email=form.cleaned_data["email"], language=request.LANGUAGE_CODE
                        ),
                        ip_address=client_ip(request),
                        honeypot=form.cleaned_data["website"],
                    )
                except participation.TooManySignups as error:
                    form.add_error(None, error)
                    status = 429
                except participation.ParticipationError as error:
                    form.add_error(None, error)
                else:
                    _remember_signup(request, action, signup)
                    return redirect("letters:public_sent", action.public_key)
    context = {
        "action": action,
        "talking_points": talking_points(action),
        "signatures": participation.signature_count(action),
        "form": form,
    }
    if action.is_cosigned:
        context["text"] = cosigned_text(action, request.LANGUAGE_CODE)
    return render(request, "letters/public/action.html", context, status=status)


# The sign-ups whose link this browser had sent, and what became of its latest one.
SIGNED_UP = "letters_signed_up"
EARLIER_LINK = "letters_earlier_link"


def _remember_signup(request: HttpRequest, action: LetterAction, signup) -> None:
    """Only the browser that made a sign-up learns, when it signs up again within minutes,
    that no new email comes: anyone else who types the address gets the usual answer, which
    tells nothing about whether it signed up before."""
    mine = request.session.get(SIGNED_UP, [])
    if signup.sent:
        request.session[SIGNED_UP] = [signup.signatory_id, *mine][:20]
    elif signup.signatory_id is not None and signup.signatory_id in mine:
        request.session[EARLIER_LINK] = {"action": action.public_key, "updated": signup.updated}


def public_sent(request: HttpRequest, public_key: str) -> HttpResponse:
    """The same words whoever signed up, with whatever address: nothing to learn here. The
    browser that signed up again within minutes is told its earlier link still works."""
    action = _public_action(public_key)
    earlier = request.session.pop(EARLIER_LINK, None)
    if earlier and earlier.get("action") != action.public_key:
        earlier = None
    context = {"action": action, "earlier": earlier}
    return render(request, "letters/public/check_email.html", context)


# Through the supporter's link ----------------------------------------------------------------


class BadLink(Exception):
    pass


def _signatory(token: str) -> Signatory:
    # The campaign names the letter ({{ campaign.name }}); the area names their seat.
    signatory = Signatory.from_token(token, related=("action__campaign", "area"))
    if signatory is None:
        raise BadLink
    action = signatory.action
    if action.state == LetterAction.State.DRAFT or action.is_foi:
        raise BadLink
    return signatory


def _bad_link(request: HttpRequest) -> HttpResponse:
    return render(request, "letters/public/link_invalid.html", status=404)


def _links(view):
    """Views taking a supporter's token: a link that does not verify gets one clear page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        try:
            signatory = _signatory(token)
        except BadLink:
            return _bad_link(request)
        return view(request, signatory, token, *args, **kwargs)

    return wrapper


def _supporter_page(
    request: HttpRequest,
    signatory: Signatory,
    token: str,
    area_form=None,
    details_form=None,
    status: int = 200,
) -> HttpResponse:
    action = signatory.action
    letters = list(
        signatory.letters.select_related("target").order_by("target__sort_name", "target__name")
    )
    context = {"action": action, "signatory": signatory, "token": token, "letters": letters}
    if action.is_cosigned:
        context["signatures"] = participation.signature_count(action)
        context["text"] = cosigned_text(action, request.LANGUAGE_CODE)
    if action.takes_part and action.kind == LetterAction.Kind.LETTER_DAY:
        written = {letter.target_id: letter for letter in letters}
        mine = participation.representatives(action=action, area=signatory.area)
        for target in mine:
            target.my_letter = written.get(target.person_id)
        context.update(writing=True, representatives=mine)
        if not action.constituency_matching:
            context["others"] = list(
                action.targets.select_related("person").exclude(
                    pk__in=[target.pk for target in mine]
                )
            )
    if forms.constituency_form_shown(action):
        context["area_form"] = area_form or forms.AreaFields(
            action=action,
            require_area=True,
            initial={"area": signatory.area_id, "address": signatory.address},
        )
    if action.takes_part:
        context["details_form"] = details_form or forms.SupporterDetailsForm(signatory=signatory)
    return render(request, "letters/public/supporter.html", context, status=status)


@_links
def supporter(request: HttpRequest, signatory: Signatory, token: str) -> HttpResponse:
    """Their page on the action: confirm first, then their representatives and letters."""
    if not signatory.is_confirmed:
        context = {"signatory": signatory, "action": signatory.action, "token": token}
        return render(request, "letters/public/confirm.html", context)
    return _supporter_page(request, signatory, token)


@require_POST
@_links
def confirm(request: HttpRequest, signatory: Signatory, token: str) -> HttpResponse:
    try:
        participation.signatory_confirm(signatory=signatory)
    except participation.ParticipationError as error:
        messages.error(request, error.messages[0])
    else:
        if signatory.action.is_cosigned:
            message = _("Thank you: your address is confirmed and your signature counts.")
        else:
            message = _("Thank you: your address is confirmed.")
        messages.success(request, message)
    return redirect("letters:supporter", token)


@require_POST
@_links
def supporter_area(request: HttpRequest, signatory: Signatory, token: str) -> HttpResponse:
    """Set or change their constituency, from the list or from an address."""
    if not signatory.is_confirmed:
        return redirect("letters:supporter", token)
    form = forms.AreaFields(request.POST, action=signatory.action, require_area=True)
    if not form.is_valid():
        return _supporter_page(request, signatory, token, area_form=form, status=400)
    try:
        participation.signatory_set_area(
            signatory=signatory,
            area=form.cleaned_data["area"],
            address=form.cleaned_data["address"].strip(),
        )
    except participation.ParticipationError as error:
        messages.error(request, error.messages[0])
    return redirect("letters:supporter", token)


@require_POST
@_links
def supporter_details(request: HttpRequest, signatory: Signatory, token: str) -> HttpResponse:
    """A confirmed supporter corrects their name, organisation, role and consents."""
    if not signatory.is_confirmed:
        return redirect("letters:supporter", token)
    form = forms.SupporterDetailsForm(request.POST, signatory=signatory)
    if not form.is_valid():
        return _supporter_page(request, signatory, token, details_form=form, status=400)
    try:
        participation.supporter_update(
            signatory=signatory,
            supporter=form.supporter(email=signatory.email, language=signatory.language),
        )
    except participation.ParticipationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your details are saved."))
    return redirect("letters:supporter", token)


@_links
def supporter_choose(request: HttpRequest, signatory: Signatory, token: str) -> HttpResponse:
    """The "write to someone else" form (a GET, so it needs no JavaScript) lands here."""
    person = request.GET.get("to", "")
    if not person.isdigit():
        return redirect("letters:supporter", token)
    return redirect("letters:supporter_write", token, int(person))


def _supporter_writing(signatory: Signatory, person_pk: int):
    action = signatory.action
    if not signatory.is_confirmed or action.kind != LetterAction.Kind.LETTER_DAY:
        return None, None
    target = get_object_or_404(
        ActionTarget.objects.select_related("person"), action=action, person_id=person_pk
    )
    letter = (
        Letter.objects.filter(action=action, target=target.person, signatory=signatory)
        .select_related("action__campaign", "target", "signatory__area")
        .first()
    )
    if letter is None and action.constituency_matching:
        mine = participation.representatives(action=action, area=signatory.area)
        if target.pk not in {t.pk for t in mine}:
            return None, None
    return target.person, letter


@_links
def supporter_write(
    request: HttpRequest, signatory: Signatory, token: str, person_pk: int
) -> HttpResponse:
    person, letter = _supporter_writing(signatory, person_pk)
    if person is None or (letter is None and not signatory.action.takes_part):
        return redirect("letters:supporter", token)
    return letter_page(
        request,
        action=signatory.action,
        person=person,
        signatory=signatory,
        letter=letter,
        similarity_url=reverse("letters:supporter_similarity", args=[token, person_pk]),
        back_url=reverse("letters:supporter", args=[token]),
        back_label=_("Back to your page on this action"),
    )


@require_POST
@_links
def supporter_similarity(
    request: HttpRequest, signatory: Signatory, token: str, person_pk: int
) -> HttpResponse:
    person, letter = _supporter_writing(signatory, person_pk)
    if person is None:
        raise Http404
    return similarity_fragment(
        request, action=signatory.action, person=person, signatory=signatory, letter=letter
    )


@_links
def public_reply(
    request: HttpRequest, signatory: Signatory, token: str, letter_pk: int
) -> HttpResponse:
    """Did a reply come? The writer says, from the link in the email sent after two weeks."""
    from letters import replies

    letter = get_object_or_404(
        Letter.objects.select_related("target"), pk=letter_pk, signatory=signatory
    )
    sent = letter.state in Letter.WENT_OUT
    form = None
    if sent and not letter.reply_logged_by_id:
        form = replies.ReplyForm(
            request.POST if request.method == "POST" else None, letter=letter, writer=True
        )
        if form.is_bound and form.is_valid():
            try:
                replies.reply_log(
                    letter=letter,
                    signatory=signatory,
                    kind=form.cleaned_data["kind"],
                    received_on=form.cleaned_data["received_on"],
                    summary=form.cleaned_data["summary"],
                    commitment=form.cleaned_data["commitment"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Thank you: it helps us follow up."))
                return redirect("letters:public_reply", token, letter.pk)
    context = {
        "signatory": signatory,
        "action": signatory.action,
        "letter": letter,
        "sent": sent,
        "form": form,
        "token": token,
    }
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "letters/public/reply.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("act/<str:public_key>/", public_page, name="public"),
    path("act/<str:public_key>/check-your-email/", public_sent, name="public_sent"),
    path("supporter/<str:token>/", supporter, name="supporter"),
    path("supporter/<str:token>/confirm/", confirm, name="confirm"),
    path("supporter/<str:token>/constituency/", supporter_area, name="supporter_area"),
    path("supporter/<str:token>/details/", supporter_details, name="supporter_details"),
    path("supporter/<str:token>/write/", supporter_choose, name="supporter_choose"),
    path("supporter/<str:token>/write/<int:person_pk>/", supporter_write, name="supporter_write"),
    path(
        "supporter/<str:token>/write/<int:person_pk>/similarity/",
        supporter_similarity,
        name="supporter_similarity",
    ),
    path(
        "supporter/<str:token>/letters/<int:letter_pk>/reply/",
        public_reply,
        name="public_reply",
    ),
]
