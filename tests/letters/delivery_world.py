"""Letter actions ready to launch and send, for the delivery tests."""

from __future__ import annotations

import datetime as dt
import itertools

from letters.models import ActionTarget, Letter, LetterAction
from tests import factories

_numbers = itertools.count(1)

# A delivery day far enough ahead never to be in the past; a Thursday in winter (New York
# on standard time, UTC-5) and one in summer (daylight time, UTC-4).
WINTER_DAY = dt.date(2031, 1, 16)
SUMMER_DAY = dt.date(2031, 7, 17)


def action(organisation, creator, **fields) -> LetterAction:
    """An open letter day of the organisation with an English template."""
    campaign = factories.CampaignFactory(organisation=organisation, created_by=creator)
    values = {"deliver_on": WINTER_DAY, "state": LetterAction.State.OPEN, **fields}
    made = factories.LetterActionFactory(campaign=campaign, **values)
    factories.LetterTemplateFactory(action=made)
    return made


def targets(
    action: LetterAction, count: int, *, time_zone: str = "Africa/Nairobi", email: bool = True
) -> list[ActionTarget]:
    """`count` targets, each with a current email address unless `email` is off."""
    made = []
    for _ in range(count):
        number = next(_numbers)
        person = factories.PersonFactory(honorific_prefix="Hon.")
        if email:
            factories.ContactPointFactory(person=person, value=f"mp{number}@parliament.example.org")
        made.append(
            factories.ActionTargetFactory(action=action, person=person, time_zone=time_zone)
        )
    return made


def letters(
    action: LetterAction,
    to: list[ActionTarget],
    *,
    state: str = Letter.State.READY,
    signatory=None,
    **fields,
) -> list[Letter]:
    """One letter to each target, each from a supporter of its own unless `signatory`."""
    made = []
    for target in to:
        writer = signatory or factories.SignatoryFactory(action=action)
        made.append(
            factories.LetterFactory(
                action=action,
                target=target.person,
                signatory=writer,
                state=state,
                subject=f"Please ratify the treaty, {target.person.name}",
                body=f"Dear {target.person.name},\n\nPlease ratify the treaty.\n\n{writer.name}",
                **fields,
            )
        )
    return made


def scheduled(action: LetterAction, count: int, **target_fields) -> list[Letter]:
    """An action in the sending states with `count` letters due now."""
    from django.utils import timezone

    made = letters(
        action,
        targets(action, count, **target_fields),
        state=Letter.State.SCHEDULED,
        due_at=timezone.now() - dt.timedelta(seconds=1),
    )
    LetterAction.objects.filter(pk=action.pk).update(state=LetterAction.State.SCHEDULED)
    action.state = LetterAction.State.SCHEDULED
    return made
