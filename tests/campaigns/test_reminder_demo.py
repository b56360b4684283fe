"""The demo's reminders: the treaty calendar's rules, relationships and a few inbox items."""

from io import StringIO

from django.core.management import call_command

from advocacy.models import Membership, Notification, User
from campaigns.models import Campaign, Relationship, Reminder, ReminderRule


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (ReminderRule, Relationship, Notification, Reminder)
    )


def test_the_demo_has_rules_relationships_and_notifications_once(db):
    seed()
    first = counts()
    seed()

    assert counts() == first
    with_treaty = Campaign.objects.filter(treaty__isnull=False)
    assert with_treaty.exists()
    for campaign in with_treaty:
        assert sorted(campaign.reminder_rules.values_list("amount", flat=True)) == [1, 7, 28, 56]
    campaigner = User.objects.get(email="grace.campaigner@hdc.example.org")
    assert campaigner.memberships.get().role == Membership.Role.CAMPAIGNER
    assert campaigner.notifications.count() == 3
    assert campaigner.unread_notifications == 3
    # Two from the reminders demo; the meetings demo's check-ins may add more.
    assert Relationship.objects.filter(owner=campaigner).count() >= 2
