"""Quiet relationships: a reminder when no contact has happened for longer than the cadence."""

import datetime as dt

import pytest
from django.urls import reverse

from campaigns import reminders
from campaigns.models import Relationship, Reminder
from tests.campaigns.reminder_world import local
from tests.factories import PersonFactory

UTC = dt.UTC


@pytest.fixture
def minister(db):
    return PersonFactory(name="Amina Njoroge", given_name="Amina", family_name="Njoroge")


@pytest.fixture
def relationship(campaigner, minister):
    campaigner.time_zone = "Africa/Nairobi"
    campaigner.save()
    return Relationship.objects.create(
        owner=campaigner,
        person=minister,
        cadence_days=30,
        last_contact_on=dt.date(2027, 1, 10),
        note="Ask about the cabinet paper.",
    )


def plan(at: dt.datetime) -> reminders.PlanResult:
    return reminders.relationships_plan(now=at)


def test_nothing_is_due_before_the_relationship_goes_quiet(relationship):
    # Quiet from 9 February at 09:00 in Nairobi (06:00 UTC).
    plan(local("Africa/Nairobi", 2027, 2, 9, 8, 59))

    assert not Reminder.objects.exists()


def test_a_quiet_relationship_gets_one_reminder_for_the_period(relationship, minister):
    plan(local("Africa/Nairobi", 2027, 2, 9, 9, 0))
    plan(local("Africa/Nairobi", 2027, 3, 20))

    reminder = Reminder.objects.get()
    assert reminder.kind == Reminder.Kind.QUIET_RELATIONSHIP
    assert reminder.source_key == f"quiet:{relationship.pk}:2027-02-09"
    assert reminder.due_at == local("Africa/Nairobi", 2027, 2, 9, 9)
    assert reminder.recipient == relationship.owner
    assert reminder.title == "Time to get in touch with Amina Njoroge"
    assert reminder.message == "Ask about the cabinet paper."
    assert reminder.url == minister.get_absolute_url()


def test_a_contact_logged_before_the_reminder_goes_out_cancels_it(relationship):
    plan(local("Africa/Nairobi", 2027, 2, 9, 10))

    relationship.last_contact_on = dt.date(2027, 2, 9)
    relationship.save()
    plan(local("Africa/Nairobi", 2027, 2, 9, 10, 5))

    assert Reminder.objects.get().state == Reminder.State.CANCELLED


def test_a_new_quiet_period_gets_its_own_reminder(relationship):
    plan(local("Africa/Nairobi", 2027, 2, 9, 10))
    Reminder.objects.update(state=Reminder.State.SENT)

    relationship.last_contact_on = dt.date(2027, 2, 15)
    relationship.save()
    plan(local("Africa/Nairobi", 2027, 3, 17, 10))

    assert sorted(Reminder.objects.values_list("source_key", "state")) == [
        (f"quiet:{relationship.pk}:2027-02-09", Reminder.State.SENT),
        (f"quiet:{relationship.pk}:2027-03-17", Reminder.State.PENDING),
    ]


def test_without_a_contact_the_cadence_counts_from_when_it_was_added(relationship):
    Relationship.objects.filter(pk=relationship.pk).update(
        last_contact_on=None, created_at=dt.datetime(2027, 1, 1, 12, tzinfo=UTC)
    )

    plan(local("Africa/Nairobi", 2027, 1, 31, 9))

    assert Reminder.objects.get().source_key == f"quiet:{relationship.pk}:2027-01-31"


# Pages


def test_the_person_link_opens_a_form_for_that_person(campaigner_client, minister):
    url = reverse("campaigns:relationship_create") + f"?person={minister.pk}"

    response = campaigner_client.get(url)

    assert response.status_code == 200
    assert "Keep in touch with Amina Njoroge" in response.content.decode()
    assert response.context["form"]["person"].value() == minister.pk


def test_saving_the_form_keeps_in_touch_and_plans_at_once(campaigner_client, campaigner, minister):
    response = campaigner_client.post(
        reverse("campaigns:relationship_create"),
        {"person": minister.pk, "cadence_days": 14, "last_contact_on": "2020-01-01", "note": ""},
    )

    assert response.status_code == 302
    relationship = Relationship.objects.get()
    assert (relationship.owner, relationship.person, relationship.cadence_days) == (
        campaigner,
        minister,
        14,
    )
    # Quiet since 2020: the reminder is made straight away.
    assert Reminder.objects.get().source_key == f"quiet:{relationship.pk}:2020-01-15"


def test_a_second_relationship_with_the_same_person_opens_the_first(
    campaigner_client, relationship, minister
):
    response = campaigner_client.get(
        reverse("campaigns:relationship_create") + f"?person={minister.pk}"
    )

    assert response.url == reverse("campaigns:relationship_update", args=[relationship.pk])


def test_without_a_person_it_points_to_the_directory(campaigner_client):
    response = campaigner_client.get(reverse("campaigns:relationship_create"), follow=True)

    assert "Open a person&#x27;s page in the directory" in response.content.decode()
    assert not Relationship.objects.exists()


def test_the_list_shows_who_has_gone_quiet(campaigner_client, relationship):
    response = campaigner_client.get(reverse("campaigns:relationship_list"))

    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row["quiet_since"] == dt.date(2027, 2, 9)
    assert "Amina Njoroge" in response.content.decode()


def test_someone_elses_relationship_is_not_found(client, coordinator, relationship):
    client.force_login(coordinator)

    response = client.get(reverse("campaigns:relationship_update", args=[relationship.pk]))

    assert response.status_code == 404


def test_stopping_cancels_the_pending_reminder(campaigner_client, relationship):
    plan(local("Africa/Nairobi", 2027, 2, 9, 10))

    campaigner_client.post(reverse("campaigns:relationship_delete", args=[relationship.pk]))

    assert not Relationship.objects.exists()
    assert Reminder.objects.get().state == Reminder.State.CANCELLED


# session, user, the relationships with their people and campaigns (joined), the menu's
# memberships.
RELATIONSHIP_LIST_QUERIES = 4


def test_relationship_list_queries_do_not_grow(
    campaigner_client, campaigner, relationship, django_assert_num_queries
):
    with django_assert_num_queries(RELATIONSHIP_LIST_QUERIES):
        campaigner_client.get(reverse("campaigns:relationship_list"))

    for _ in range(5):
        Relationship.objects.create(owner=campaigner, person=PersonFactory(), cadence_days=10)
    with django_assert_num_queries(RELATIONSHIP_LIST_QUERIES):
        response = campaigner_client.get(reverse("campaigns:relationship_list"))
    assert len(response.context["rows"]) == 6
