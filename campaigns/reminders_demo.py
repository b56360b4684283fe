"""Demo reminders: the treaty calendar's rules on the demo campaigns, people each demo
campaigner keeps in touch with, and a few notifications waiting in their inboxes.

Idempotent like the other demo modules: rules, relationships and notifications are found by
their natural keys, so running `seed_demo` again adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from advocacy import notifications
from advocacy.models import Membership, User
from campaigns import reminders
from campaigns.models import Campaign, Relationship
from contacts.models import Person

DEMO_ORGANISATIONS = ["hdc", "apb", "ppn-fiji", "cedar", "mekong", "dauk", "rcd"]

# (days since the last contact, keep in touch every N days, note): one relationship gone
# quiet, one still warm, for each demo campaigner.
RELATIONSHIPS = [
    (75, 60, "Asked for the cabinet paper on ratification; promised an answer after recess."),
    (12, 30, "Supportive; wants figures on victim assistance before the budget debate."),
]

# Demo inbox items, as delivered reminders would leave them.
NOTIFICATIONS = [
    (
        "demo:welcome",
        "Welcome to your inbox",
        "Reminders arrive here. Choose on your profile whether they also come by email, "
        "one by one or in a daily digest.",
        "/accounts/profile/",
    ),
    (
        "demo:msp-eight-weeks",
        "Meeting of States Parties: eight weeks to go",
        "Plan the lobbying, ask the ministry who will attend and what the delegation will say.",
        "/campaigns/",
    ),
    (
        "demo:quiet",
        "Time to get back in touch with the foreign affairs committee",
        "No contact for two months.",
        "/campaigns/reminders/relationships/",
    ),
]


def seed_reminders() -> None:
    campaigns = Campaign.objects.filter(
        organisation__slug__in=DEMO_ORGANISATIONS, treaty__isnull=False
    ).select_related("organisation", "treaty")
    for campaign in campaigns:
        reminders.reminder_rules_create_defaults(campaign=campaign)
    campaigners = Membership.objects.filter(
        organisation__slug__in=DEMO_ORGANISATIONS, role=Membership.Role.CAMPAIGNER
    ).select_related("user", "organisation")
    for membership in campaigners:
        _seed_relationships(membership)
        _seed_notifications(membership.user)


def _seed_relationships(membership: Membership) -> None:
    people = (
        Person.objects.filter(
            positions__institution__country_id=str(membership.organisation.country)
        )
        .distinct()
        .order_by("id")[: len(RELATIONSHIPS)]
    )
    today = timezone.localdate()
    for person, (days_ago, cadence, note) in zip(people, RELATIONSHIPS, strict=False):
        Relationship.objects.get_or_create(
            owner=membership.user,
            person=person,
            defaults={
                "cadence_days": cadence,
                "last_contact_on": today - dt.timedelta(days=days_ago),
                "note": note,
            },
        )


def _seed_notifications(user: User) -> None:
    with transaction.atomic():
        for source_key, title, body, url in NOTIFICATIONS:
            notifications.notification_create(
                recipient=user, source_key=source_key, title=title, body=body, url=url
            )
