"""What a coordinator does with other people's letters: approve them, or send them back to
their writer with a reason; and who writes to whom (targets assigned to campaigners).

Views check that the user may edit the action (`LetterAction.objects.editable_by`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from advocacy.mail import absolute_url
from advocacy.models import AuditEvent, Membership, Organisation, User, Visibility
from advocacy.notifications import notification_create
from advocacy.services import audit_record
from letters import services, tasks
from letters.models import ActionTarget, Letter, LetterAction, Signatory

# Letters a coordinator may send back: written, not yet on their way.
SENDABLE_BACK = (Letter.State.SUBMITTED, Letter.State.READY)


def _audit(letter: Letter, *, user: User, detail: dict, request: HttpRequest | None) -> None:
    audit_record(
        action=AuditEvent.Action.UPDATED,
        actor=user,
        organisation=letter.action.organisation,
        target=letter,
        detail=detail,
        request=request,
    )


# Approval ----------------------------------------------------------------------------------


@transaction.atomic
def letter_approve(*, letter: Letter, user: User, request: HttpRequest | None = None) -> bool:
    """A letter waiting for approval is ready; once the action is launched it is scheduled
    straight away. Returns whether it was waiting (approving twice changes nothing)."""
    now = timezone.now()
    approved = Letter.objects.filter(pk=letter.pk, state=Letter.State.SUBMITTED).update(
        state=Letter.State.READY, approved_by=user, approved_at=now, updated_at=now
    )
    if not approved:
        return False
    letter.refresh_from_db(fields=["state", "approved_by", "approved_at"])
    services.letter_schedule(letter=letter)
    _audit(letter, user=user, detail={"approved": True}, request=request)
    return True


@transaction.atomic
def letters_approve(
    *, action: LetterAction, letters: QuerySet[Letter], user: User, request=None
) -> int:
    """Approve every letter of the action among `letters` that is waiting; returns how many."""
    now = timezone.now()
    waiting = list(
        letters.filter(action=action, state=Letter.State.SUBMITTED).values_list("pk", flat=True)
    )
    approved = Letter.objects.filter(pk__in=waiting, state=Letter.State.SUBMITTED).update(
        state=Letter.State.READY, approved_by=user, approved_at=now, updated_at=now
    )
    services.letters_schedule(
        action_id=action.pk, letters=Letter.objects.filter(pk__in=waiting), now=now
    )
    if approved:
        audit_record(
            action=AuditEvent.Action.UPDATED,
            actor=user,
            organisation=action.organisation,
            target=action,
            detail={"approved": approved},
            request=request,
        )
    return approved


@transaction.atomic
def letter_send_back(
    *, letter: Letter, user: User, reason: str, request: HttpRequest | None = None
) -> bool:
    """Back to its writer as a draft, with the reason: kept on the letter (the writer's pages
    show it until they submit again), and a notification for a user, an email for a
    supporter. Returns whether it could be sent back (not once it is on its way)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say what the writer should change."))
    now = timezone.now()
    changed = Letter.objects.filter(pk=letter.pk, state__in=SENDABLE_BACK).update(
        state=Letter.State.DRAFT,
        approved_by=None,
        approved_at=None,
        submitted_at=None,
        review_note=reason,
        updated_at=now,
    )
    if not changed:
        return False
    letter.refresh_from_db(
        fields=["state", "approved_by", "approved_at", "submitted_at", "review_note"]
    )
    _tell_writer(letter, reason=reason, now=now)
    _audit(letter, user=user, detail={"sent_back": reason}, request=request)
    return True


def _tell_writer(letter: Letter, *, reason: str, now) -> None:
    signatory = letter.signatory
    if signatory is None:  # a co-signed letter or a request made by the organisation
        return
    target = letter.target.name
    if signatory.user_id:
        with translation.override(signatory.user.language):
            notification_create(
                recipient=signatory.user,
                source_key=f"letter:{letter.pk}:sent-back:{now.timestamp():.0f}",
                title=_("Your letter to %(target)s needs changes") % {"target": target},
                body=reason,
                url=writer_url(letter, signatory),
            )
    else:
        # After the commit, by the worker: a mail server or a broker that is down must
        # neither undo the sending back nor keep the coordinator waiting; the writer sees why
        # on their page all the same.
        # A lambda, not a partial: Django names the callback when it logs its failure.
        transaction.on_commit(
            lambda: tasks.letter_sent_back_email.delay(letter.pk, reason),
            robust=True,
        )


def writer_url(letter: Letter, signatory: Signatory) -> str:
    """Where the writer changes their letter: the page where users write, or the one a
    supporter reaches with their token."""
    if signatory.user_id:
        return reverse("letters:write", args=[letter.action_id, letter.target_id])
    return reverse("letters:supporter_write", args=[signatory.token, letter.target_id])


def email_supporter(*, letter: Letter, reason: str) -> None:
    """The email to a supporter whose letter is sent back: why, and the link to change it."""
    signatory = letter.signatory
    context = {
        "name": signatory.name,
        "action": letter.action.title,
        "target": letter.target.name,
        "reason": reason,
        "url": absolute_url(writer_url(letter, signatory)),
    }
    with translation.override(signatory.language):
        subject = render_to_string("letters/email/sent_back_subject.txt", context).strip()
        body = render_to_string("letters/email/sent_back_body.txt", context)
    send_mail(subject, body, None, [signatory.email])


# Assignment --------------------------------------------------------------------------------


def assignees(action: LetterAction) -> QuerySet[User]:
    """Who targets may be given to: members who write (not viewers) of the action's
    organisation, or of every organisation in its coalition when it is shared there."""
    organisations = Q(pk=action.organisation_id)
    if action.visibility == Visibility.COALITION:
        organisation = action.organisation
        coalition = organisation.pk if organisation.is_coalition else organisation.coalition_id
        if coalition:
            organisations |= Q(pk=coalition) | Q(coalition=coalition)
    writers = Membership.objects.filter(
        organisation__in=Organisation.objects.filter(organisations),
        role__in=Membership.EDITOR_ROLES,
    )
    return User.objects.filter(is_active=True, pk__in=writers.values("user")).order_by(
        "first_name", "last_name", "email"
    )


@transaction.atomic
def targets_assign(
    *, action: LetterAction, targets: QuerySet[ActionTarget], assignee: User | None, user: User
) -> int:
    """Give the targets to `assignee` (None: to nobody); returns how many."""
    if assignee is not None and not assignees(action).filter(pk=assignee.pk).exists():
        raise ValidationError(_("%(name)s can't take part in this action.") % {"name": assignee})
    return targets.filter(action=action).update(assigned_to=assignee)
