"""Taking part in a letter action: writing a letter, signing up as a supporter, co-signing.

Campaigners and partners write as themselves (`signatory_for_user` makes their Signatory on
first use). Supporters without an account sign up on the public page; their address is
confirmed by a signed link (`Signatory.token`) before anything they do counts, and the same
link is their way back. The public sign-up never tells anyone whether an address has signed
before: every answer is the same "check your email", and the email says the rest; only the
browser that made a sign-up is told, when it signs up again within minutes, that no new
email comes and the earlier link still works (and, for an address confirmed already, that
nothing changed: a confirmed supporter corrects their details on their own page).

A letter starts as the action's template rendered for its target and writer
(`letter_start`); every save measures how close it still is to that text (`letter_save`);
a letter day's letter that is nearly identical is not accepted (`letter_submit`, the nudge).
A submitted letter waits for approval when the action asks for it, else it is ready, and is
scheduled at once when the action is already scheduled.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from advocacy.mail import absolute_url
from advocacy.models import Membership
from contacts import search
from contacts.models import Area, Person, Position
from letters import merge, ratelimit, tasks
from letters.models import ActionTarget, Letter, LetterAction, LetterTemplate, Signatory
from letters.similarity import is_nearly_identical, similarity


class ParticipationError(ValidationError):
    """Something the writer or supporter is told, in words, on the page."""


class NearlyIdentical(ParticipationError):
    """The nudge: a letter day's letter almost word for word the suggested text."""

    def __init__(self, score: float):
        self.similarity = score
        super().__init__(
            _(
                "Your letter is %(percent)s%% the same as the suggested text. A hundred copies "
                "of one text are easy to ignore; a letter in your own words is not. Change it "
                "a little (say why this matters to you) before you submit it."
            )
            % {"percent": percent(score)},
            code="nearly_identical",
        )


class TooManySignups(ParticipationError):
    def __init__(self):
        super().__init__(
            _(
                "Too many sign-ups have come from your internet connection in the last hour. "
                "Please try again in an hour."
            ),
            code="rate_limited",
        )


def percent(score: float | None) -> int:
    """The score as a whole percentage, rounded down: 0.897 reads 89%, never the 90% at
    which the nudge starts."""
    return math.floor((score or 0) * 100 + 1e-9)


def _not_open() -> ParticipationError:
    return ParticipationError(_("This action is not open for letters."), code="closed")


# Who writes --------------------------------------------------------------------------------


def can_write(user) -> bool:
    """Whether a user who sees an action may write for it: any role but viewer. One query."""
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, role__in=Membership.EDITOR_ROLES).exists()
    )


def _by_email(action: LetterAction, email: str) -> QuerySet[Signatory]:
    # Served by the unique index on (action, lower(email)).
    return Signatory.objects.alias(email_lower=Lower("email")).filter(
        action=action, email_lower=email.lower()
    )


def _user_organisation_name(user, action: LetterAction) -> str:
    memberships = user.memberships.select_related("organisation").order_by("pk")
    names = {m.organisation_id: m.organisation.name for m in memberships}
    return names.get(action.organisation_id) or next(iter(names.values()), "")


def signatory_for_user(*, action: LetterAction, user, create: bool = True) -> Signatory:
    """The user's Signatory on this action, made on first use (unsaved when create=False).

    A supporter row with the user's address that no user claimed yet becomes theirs: the
    address is the user's, so whatever came through the public form under it is too; its
    old link stops working.
    """
    signatory = Signatory.objects.select_related("area").filter(action=action, user=user).first()
    if signatory is not None:
        return signatory
    signatory = _by_email(action, user.email).filter(user=None).first() or Signatory(
        action=action,
        email=user.email,
        language=user.language,
        role=Signatory.Role.CAMPAIGNER,
        organisation_name=_user_organisation_name(user, action),
    )
    signatory.user = user
    signatory.name = user.get_full_name() or user.email
    signatory.email_confirmed_at = signatory.email_confirmed_at or timezone.now()
    if not create:
        return signatory
    signatory.renew_nonce()
    try:
        with transaction.atomic():
            signatory.save()
    except IntegrityError:
        # The same user in two tabs at once: the other request made it.
        return Signatory.objects.select_related("area").get(action=action, user=user)
    return signatory


# Letters -----------------------------------------------------------------------------------


def letter_language(
    *, action: LetterAction, person: Person, signatory: Signatory | None
) -> str | None:
    """The version a new letter starts from: the first of the target's languages that the
    action has a text in (a French-speaking minister reads French), else the writer's
    language, else English, else any. None when the action has no text yet."""
    template = action.template_for_person(
        person, signatory.language if signatory else settings.LANGUAGE_CODE
    )
    return template.language if template else None


def letter_languages(action: LetterAction) -> list[tuple[str, str]]:
    """The languages the action's letter is written in, as (code, name), in the order of
    LANGUAGES."""
    available = {template.language for template in action.templates.all()}
    return [(code, name) for code, name in settings.LANGUAGES if code in available]


def template_text(
    *,
    action: LetterAction,
    person: Person,
    signatory: Signatory | None,
    language: str | None = None,
) -> tuple[LetterTemplate, str, str]:
    """The template in `language` (by default the one `letter_language` picks; the fallback
    when the action has none in it) rendered for one target and writer: (template, subject,
    body). The action's campaign should be loaded."""
    # Choosing the language and the template reads the templates: once, unless prefetched.
    prefetch_related_objects([action], "templates")
    language = language or letter_language(action=action, person=person, signatory=signatory)
    template = action.template_for(language) if language else None
    if template is None:
        raise ParticipationError(_("This action has no letter text yet."), code="no_template")
    target = merge.target_values([person])[person.pk]
    subject, body = merge.letter_text(
        template,
        target=target,
        action=merge.action_values(action),
        signatory=merge.signatory_values(signatory),
    )
    return template, subject, body


def similarity_to_template(
    *,
    action: LetterAction,
    person: Person,
    signatory: Signatory | None,
    body: str,
    language: str | None = None,
) -> float:
    """How close `body` is to the template rendered for the same target and writer."""
    _template, _subject, template_body = template_text(
        action=action, person=person, signatory=signatory, language=language
    )
    return similarity(body, template_body)


def letter_similarity(letter: Letter) -> float:
    return similarity_to_template(
        action=letter.action,
        person=letter.target,
        signatory=letter.signatory,
        body=letter.body,
        language=letter.language,
    )


def _check_writer(action: LetterAction, person: Person, signatory: Signatory) -> None:
    if not action.takes_part:
        raise _not_open()
    if action.kind != LetterAction.Kind.LETTER_DAY:
        raise ParticipationError(_("Letters of this action are not written one by one."))
    if not signatory.is_confirmed:
        raise ParticipationError(_("Confirm your email address first."), code="unconfirmed")
    if signatory.user_id is None and action.constituency_matching:
        mine = representatives(action=action, area=signatory.area)
        if person.pk not in {target.person_id for target in mine}:
            raise ParticipationError(
                _("On this action supporters write to their own representatives only."),
                code="not_yours",
            )
    elif not ActionTarget.objects.filter(action=action, person=person).exists():
        raise ParticipationError(_("They are not among the people this action writes to."))


@transaction.atomic
def letter_start(
    *,
    action: LetterAction,
    target: Person,
    signatory: Signatory,
    user=None,
    language: str | None = None,
) -> Letter:
    """The writer's letter to `target`: the one they started before, else a new draft with
    the template rendered for that target in `language` (by default the one
    `letter_language` picks)."""
    existing = Letter.objects.filter(action=action, target=target, signatory=signatory).first()
    if existing is not None:
        return existing
    _check_writer(action, target, signatory)
    template, subject, body = template_text(
        action=action, person=target, signatory=signatory, language=language
    )
    letter = Letter(
        action=action,
        target=target,
        signatory=signatory,
        language=template.language,
        subject=subject,
        body=body,
        similarity=1.0,  # the template itself
        created_by=user if user is not None and user.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError:
        # Started in another tab at the same moment.
        return Letter.objects.get(action=action, target=target, signatory=signatory)
    return letter


def _locked(letter: Letter) -> Letter:
    # The action row first, then the letter, as services.action_launch and letter_schedule
    # do: a letter submitted during a launch is either seen by it or sees the action
    # scheduled (and is scheduled itself).
    LetterAction.objects.select_for_update().filter(pk=letter.action_id).first()
    return (
        Letter.objects.select_for_update(of=("self",))
        .select_related("action__campaign", "target", "signatory__area")
        .get(pk=letter.pk)
    )


@transaction.atomic
def letter_save(*, letter: Letter, subject: str, body: str, language: str | None = None) -> Letter:
    """Keep the writer's words and how close they are to the template (in `language`, when
    the writer chose another version of the letter). A submitted or approved letter that
    changes is a draft again: it is submitted (and approved) anew."""
    letter = _locked(letter)
    if not letter.is_editable:
        raise ParticipationError(_("This letter is on its way and can no longer change."))
    if not letter.action.takes_part:
        raise _not_open()
    fields = ["subject", "body", "similarity", "updated_at"]
    if language and language != letter.language:
        template = letter.action.template_for(language)
        if template is not None and template.language == language:
            letter.language = language
            fields.append("language")
    if (subject, body) != (letter.subject, letter.body) and letter.state != Letter.State.DRAFT:
        letter.state = Letter.State.DRAFT
        letter.submitted_at = letter.approved_at = letter.approved_by = None
        fields += ["state", "submitted_at", "approved_at", "approved_by"]
    letter.subject, letter.body = subject, body
    letter.similarity = letter_similarity(letter)
    letter.save(update_fields=fields)
    return letter


@transaction.atomic
def letter_submit(*, letter: Letter) -> Letter:
    """Submit a draft: waiting for approval when the action asks for it, else ready, and
    scheduled at once when the action already is. A letter day's letter nearly identical to
    its template raises NearlyIdentical instead."""
    letter = _locked(letter)
    action = letter.action
    if letter.state in (Letter.State.SUBMITTED, Letter.State.READY):
        return letter
    if letter.state != Letter.State.DRAFT:
        raise ParticipationError(_("This letter is on its way and can no longer change."))
    if not action.takes_part:
        raise _not_open()
    if letter.signatory is not None and not letter.signatory.is_confirmed:
        raise ParticipationError(_("Confirm your email address first."), code="unconfirmed")
    letter.similarity = letter_similarity(letter)
    if not action.is_cosigned and is_nearly_identical(letter.similarity):
        raise NearlyIdentical(letter.similarity)
    letter.state = Letter.State.SUBMITTED if action.requires_approval else Letter.State.READY
    letter.submitted_at = timezone.now()
    letter.review_note = ""  # the changes a coordinator asked for are made: read it again
    letter.save(update_fields=["state", "submitted_at", "similarity", "review_note", "updated_at"])
    if letter.state == Letter.State.READY:
        from letters import services

        # Scheduled at once when the action is launched already; before, it waits for launch.
        services.letter_schedule(letter=letter)
    return letter


# Co-signing --------------------------------------------------------------------------------


def signature_count(action: LetterAction) -> int:
    """Confirmed signatories who agreed to be named: what a co-signed letter lists."""
    return action.signatories.filter(
        email_confirmed_at__isnull=False, consent_named_at__isnull=False
    ).count()


@transaction.atomic
def signatory_cosign(
    *,
    action: LetterAction,
    user,
    organisation_name: str = "",
    title: str = "",
    role: str = Signatory.Role.CAMPAIGNER,
) -> Signatory:
    """A user signs a co-signed letter under their name."""
    if not action.takes_part:
        raise _not_open()
    if not action.is_cosigned:
        raise ParticipationError(_("This action's letters are written one by one."))
    signatory = signatory_for_user(action=action, user=user)
    signatory.organisation_name, signatory.title, signatory.role = organisation_name, title, role
    signatory.consent_named_at = signatory.consent_named_at or timezone.now()
    signatory.save(update_fields=["organisation_name", "title", "role", "consent_named_at"])
    return signatory


# Areas and representatives -----------------------------------------------------------------


def _target_positions(action: LetterAction) -> QuerySet[Position]:
    """The targets' current positions of their own (an aide's is held to someone else)."""
    return Position.objects.current().filter(
        person__letter_targets__action=action, to_person__isnull=True
    )


def area_choices(action: LetterAction) -> QuerySet[Area]:
    """Areas a supporter may pick: those the targets represent, and for a letter day the
    areas those are part of (a county above constituencies: its people write to the
    representatives within). A co-signed letter with constituency matching carries a
    signature only under the letter to the signatory's own constituency, so only those are
    offered. Smaller areas are found from the address instead, so the list stays short
    enough for a phone."""
    areas = _target_positions(action).filter(area__isnull=False).values("area")
    if action.is_cosigned and action.constituency_matching:
        return Area.objects.filter(pk__in=areas).order_by("name", "pk")
    return Area.objects.filter(
        Q(pk__in=areas) | Q(pk__in=Area.objects.filter(pk__in=areas).values("parent"))
    ).order_by("name", "pk")


def _words(text: str) -> str:
    """Lower case, without accents or apostrophes ("Lang'ata" is "langata"), words only."""
    return " ".join(search.words(re.sub(r"['’`ʼ]", "", text)))


def _ancestors(pk: int, parent_of: dict[int, int | None]) -> list[int]:
    found: list[int] = []
    parent = parent_of.get(pk)
    while parent is not None and parent not in found and len(found) < 10:
        found.append(parent)
        parent = parent_of.get(parent)
    return found


def area_from_address(
    *, action: LetterAction, address: str, represented_only: bool = False
) -> Area | None:
    """The area an address names, among the areas of the targets' countries.

    An area's name must appear in the address as whole words. Of the areas named, one that
    contains another named one gives way to it ("Westlands, Nairobi" is Westlands). A named
    area inside one a target represents (a ward) gives that area (the constituency), as
    letters are matched on representatives' areas. Among what is left, an area a target
    represents comes first, then one containing such areas (a county), then the longest name.
    With `represented_only` (constituency matching), an area no target represents, contains
    or is inside of is no answer: nobody there to write to. Three queries.
    """
    text = f" {_words(address)} "
    if not text.strip():
        return None
    positions = _target_positions(action)
    target_areas = set(positions.filter(area__isnull=False).values_list("area", flat=True))
    areas = list(
        Area.objects.filter(country__in=positions.values("institution__country")).values_list(
            "pk", "name", "parent"
        )
    )
    parent_of = {pk: parent for pk, _name, parent in areas}
    named = {
        pk: len(words) for pk, name, _p in areas if (words := _words(name)) and f" {words} " in text
    }
    containing = {ancestor for pk in named for ancestor in _ancestors(pk, parent_of)}
    parents_of_targets = {parent_of.get(pk) for pk in target_areas}
    best: tuple[tuple[int, int], int] | None = None
    for pk, length in named.items():
        if pk in containing:
            continue
        line = [pk, *_ancestors(pk, parent_of)]
        represented = next((area for area in line if area in target_areas), None)
        if represented is not None:
            rank, chosen = (0 if represented == pk else 1), represented
        else:
            rank, chosen = (2 if pk in parents_of_targets else 3), pk
        if rank == 3 and represented_only:
            continue
        key = (rank, -length)
        if best is None or key < best[0]:
            best = (key, chosen)
    return Area.objects.filter(pk=best[1]).first() if best else None


def areas_named_in_part(*, action: LetterAction, address: str) -> list[Area]:
    """Areas a supporter may pick whose names start with words of the address, for when
    `area_from_address` finds none named in full: "Leeds" or "12 High Street, Leeds" gives
    Leeds East and Leeds West. Those matching the most leading words, by name. One query."""
    text = f" {_words(address)} "
    if not text.strip():
        return []
    scored: list[tuple[int, Area]] = []
    for area in area_choices(action):
        words = _words(area.name).split()
        matched = 0
        while matched < len(words) and f" {' '.join(words[: matched + 1])} " in text:
            matched += 1
        if matched:
            scored.append((matched, area))
    most = max((matched for matched, _area in scored), default=0)
    return [area for matched, area in scored if matched == most]


def representatives(*, action: LetterAction, area: Area | None) -> list[ActionTarget]:
    """The action's targets whose current position is for the area, the area it is part of,
    or an area inside it. One query."""
    if area is None:
        return []
    where = Q(area_id=area.pk) | Q(area__parent_id=area.pk)
    if area.parent_id:
        where |= Q(area_id=area.parent_id)
    positions = _target_positions(action).filter(where)
    return list(
        ActionTarget.objects.filter(action=action, person__in=positions.values("person"))
        .select_related("person")
        .order_by("person__sort_name", "person__name")
    )


@transaction.atomic
def signatory_set_area(*, signatory: Signatory, area: Area | None, address: str = "") -> None:
    if not signatory.action.takes_part:
        raise _not_open()
    signatory.area, signatory.address = area, address
    signatory.save(update_fields=["area", "address"])


# Supporters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Supporter:
    """What a supporter tells about themselves on the public form."""

    name: str
    email: str
    language: str
    organisation_name: str = ""
    title: str = ""
    role: str = Signatory.Role.CONSTITUENT
    area: Area | None = None
    address: str = ""
    consent_named: bool = False
    consent_contact: bool = False


# The details a supporter gives, and may correct once confirmed.
DETAILS = ["name", "organisation_name", "title", "role", "area", "address"]


def _fill(signatory: Signatory, supporter: Supporter, now: dt.datetime) -> None:
    for field in DETAILS:
        setattr(signatory, field, getattr(supporter, field))
    signatory.language = supporter.language
    signatory.consent_named_at = now if supporter.consent_named else None
    signatory.consent_contact_at = now if supporter.consent_contact else None


@dataclass(frozen=True)
class Signup:
    """What became of a sign-up. `signatory_id` is None when nothing was recorded (a robot,
    an address over its limit, the same address at the same moment); `sent` says whether a
    link is on its way, `updated` whether the details given replaced the earlier ones. An
    address that signed before and is not updated is confirmed already: its details change
    on the supporter's own page (`supporter_update`), never through the public form.

    The page after the form must not show any of it to whoever typed the address: only to
    the browser that made the earlier sign-up (see letters.views.public)."""

    signatory_id: int | None = None
    sent: bool = False
    updated: bool = False


def supporter_signup(
    *,
    action: LetterAction,
    supporter: Supporter,
    ip_address: str | None,
    honeypot: str = "",
    now: dt.datetime | None = None,
) -> Signup:
    """Record a sign-up from the public page and email its link.

    New address: a Signatory, unconfirmed, and an email with the link to confirm. An address
    that signed before: the unconfirmed details are replaced (the link goes to the address
    anyway, and its owner confirms what they see), a confirmed one is left as it is, and the
    email carries the link back. At most one email goes to an address every RESEND_AFTER:
    signing up again sooner still replaces unconfirmed details, and the link sent earlier
    keeps working and shows them; once that time has passed, a fresh link replaces the old
    one. Nothing is recorded or sent when the form was filled by a robot (the honeypot) or
    the address signed up too often. Only an IP address over its limit is told so
    (TooManySignups): that says nothing about anyone.
    """
    if honeypot:
        return Signup()
    if not action.public_page_live or action.is_foi:
        raise _not_open()
    now = now or timezone.now()
    if ratelimit.ip_exhausted(ip_address, now=now):
        raise TooManySignups
    email = supporter.email.strip()
    with transaction.atomic():
        signatory = _by_email(action, email).select_for_update().first()
        if signatory is None:
            if ratelimit.email_exhausted(email, now=now):
                return Signup()
            signatory = Signatory(action=action, email=email, ip_address=ip_address)
            _fill(signatory, supporter, now)
            signatory.renew_nonce()
            signatory.confirmation_sent_at = now
            try:
                with transaction.atomic():
                    signatory.save()
            except IntegrityError:
                return Signup()  # the same address at the same moment: that one's email will do
            result = Signup(signatory_id=signatory.pk, sent=True, updated=True)
        else:
            sending = ratelimit.resend_allowed(signatory, now=now)
            updating = not signatory.is_confirmed and signatory.user_id is None
            if updating:
                _fill(signatory, supporter, now)
                if sending:
                    # Whoever read the earlier email no longer gets in with its link.
                    signatory.renew_nonce()
            if sending:
                signatory.confirmation_sent_at = now
            if sending or updating:
                signatory.save()
            result = Signup(signatory_id=signatory.pk, sent=sending, updated=updating)
        if result.sent:
            # Robust: with the broker down the sign-up is kept, and the supporter can ask
            # again once RESEND_AFTER has passed.
            # A lambda, not a partial: Django names the callback when it logs its failure.
            pk = signatory.pk
            transaction.on_commit(lambda: tasks.signatory_confirmation_send.delay(pk), robust=True)
    return result


@transaction.atomic
def supporter_update(
    *, signatory: Signatory, supporter: Supporter, now: dt.datetime | None = None
) -> Signatory:
    """A confirmed supporter corrects their details from their own page (the link in their
    email). Their email address and language stay. Letters already sent keep the name they
    went out with (it is in their text and was on the email); those still to go carry the new
    details. A consent kept keeps the moment it was first given."""
    if not signatory.is_confirmed:
        raise ParticipationError(_("Confirm your email address first."), code="unconfirmed")
    if not signatory.action.takes_part:
        raise _not_open()
    now = now or timezone.now()
    for field in DETAILS:
        setattr(signatory, field, getattr(supporter, field))
    signatory.consent_named_at = (
        (signatory.consent_named_at or now) if supporter.consent_named else None
    )
    signatory.consent_contact_at = (
        (signatory.consent_contact_at or now) if supporter.consent_contact else None
    )
    signatory.save(update_fields=[*DETAILS, "consent_named_at", "consent_contact_at"])
    return signatory


def signatory_confirm(*, signatory: Signatory) -> Signatory:
    """The supporter followed their link and confirmed: from now on it counts."""
    if signatory.email_confirmed_at is None:
        if not signatory.action.takes_part:
            raise _not_open()
        now = timezone.now()
        Signatory.objects.filter(pk=signatory.pk, email_confirmed_at=None).update(
            email_confirmed_at=now
        )
        signatory.email_confirmed_at = now
    return signatory


def supporter_url(signatory: Signatory) -> str:
    return reverse("letters:supporter", args=[signatory.token])


def confirmation_email(*, signatory: Signatory) -> None:
    """The email with the supporter's link: to confirm, or back to their letter."""
    action = signatory.action
    context = {
        "signatory": signatory,
        "action": action,
        "link": absolute_url(supporter_url(signatory)),
    }
    with translation.override(signatory.language):
        subject = render_to_string("letters/email/confirm_subject.txt", context).strip()
        body = render_to_string("letters/email/confirm_body.txt", context)
    send_mail(subject, body, None, [signatory.email])
