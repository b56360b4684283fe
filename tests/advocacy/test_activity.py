"""The organisation's activity page: its audit trail, newest first, for admins only."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from advocacy.models import AuditEvent

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def activity_url(organisation) -> str:
    return reverse("organisation_activity", args=[organisation.slug])


def record(organisation, label: str, minutes: int, **fields) -> AuditEvent:
    fields = {"action": AuditEvent.Action.UPDATED, **fields}
    return AuditEvent.objects.create(
        actor_label=f"{label}@example.org",
        organisation=organisation,
        target_label=label,
        created_at=START + timedelta(minutes=minutes),
        **fields,
    )


def test_events_are_listed_newest_first(admin_client_, organisation):
    record(organisation, "oldest", 0)
    record(organisation, "newest", 20)
    record(organisation, "middle", 10)

    response = admin_client_.get(activity_url(organisation))

    assert response.status_code == 200
    assert [event.target_label for event in response.context["page"]] == [
        "newest",
        "middle",
        "oldest",
    ]
    content = response.content.decode()
    assert content.index("newest@example.org") < content.index("oldest@example.org")


def test_events_at_the_same_moment_keep_the_order_they_were_recorded(admin_client_, organisation):
    first = record(organisation, "first", 0)
    second = record(organisation, "second", 0)

    page = admin_client_.get(activity_url(organisation)).context["page"]

    assert list(page) == [second, first]


def test_the_page_shows_who_did_what(admin_client_, organisation):
    record(
        organisation,
        "someone",
        0,
        action=AuditEvent.Action.ROLE_CHANGED,
        detail={"member": "someone@example.org", "from": "viewer", "to": "coordinator"},
    )

    content = admin_client_.get(activity_url(organisation)).content.decode()

    assert "someone@example.org" in content
    assert "Changed a role" in content
    assert "→ coordinator" in content


def test_events_are_paginated(admin_client_, organisation):
    for minute in range(51):
        record(organisation, f"event-{minute:02}", minute)

    first = admin_client_.get(activity_url(organisation))
    second = admin_client_.get(activity_url(organisation), {"page": 2})

    assert len(first.context["page"]) == 50
    assert first.context["page"][0].target_label == "event-50"
    assert 'rel="next"' in first.content.decode()
    assert [event.target_label for event in second.context["page"]] == ["event-00"]
    assert "Page 2 of 2" in second.content.decode()


def test_a_page_number_out_of_range_shows_the_last_page(admin_client_, organisation):
    record(organisation, "only", 0)

    for page in ("99", "nonsense"):
        response = admin_client_.get(activity_url(organisation), {"page": page})
        assert response.status_code == 200
        assert [event.target_label for event in response.context["page"]] == ["only"]


def test_other_organisations_events_never_appear(admin_client_, organisation, coalition, outsider):
    record(organisation, "ours", 0)
    record(outsider.memberships.get().organisation, "theirs", 1)
    # Not even the coalition's own events, nor events that belong to no organisation.
    record(coalition, "coalition", 2)
    record(None, "sign-in", 3, action=AuditEvent.Action.SIGN_IN)

    response = admin_client_.get(activity_url(organisation))

    assert [event.target_label for event in response.context["page"]] == ["ours"]
    content = response.content.decode()
    assert "theirs@example.org" not in content
    assert "coalition@example.org" not in content


def test_the_page_lists_what_the_app_records(admin_client_, organisation, campaigner):
    admin_client_.post(
        reverse("membership_role", args=[organisation.slug, campaigner.memberships.get().pk]),
        {"role": "viewer"},
    )

    content = admin_client_.get(activity_url(organisation)).content.decode()

    assert "admin@home.example.org" in content
    assert "Changed a role" in content


@pytest.mark.parametrize("persona", ["coordinator", "campaigner", "viewer"])
def test_non_admins_get_403(client, organisation, persona, request):
    client.force_login(request.getfixturevalue(persona))
    record(organisation, "secret", 0)

    response = client.get(activity_url(organisation))

    assert response.status_code == 403
    assert "secret@example.org" not in response.content.decode()


def test_outsiders_get_404(outsider_client, organisation):
    record(organisation, "secret", 0)

    response = outsider_client.get(activity_url(organisation))

    assert response.status_code == 404
    assert "secret@example.org" not in response.content.decode()


def test_coalition_partners_get_404(client, organisation, coalition_partner):
    client.force_login(coalition_partner)

    assert client.get(activity_url(organisation)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, organisation):
    response = client.get(activity_url(organisation))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
