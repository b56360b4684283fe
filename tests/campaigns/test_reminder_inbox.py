"""The inbox: notifications, the unread count in the top bar, marking read."""

import pytest
from django.db import transaction
from django.urls import reverse

from advocacy import notifications
from advocacy.models import Notification, User

INBOX = reverse("notification_list")
BADGE = reverse("notification_badge")


def notify(user, n: int, **fields) -> Notification:
    with transaction.atomic():
        notification, _ = notifications.notification_create(
            recipient=user,
            source_key=f"reminder:{n}",
            title=fields.pop("title", f"Reminder {n}"),
            body=fields.pop("body", "Invite the MPs of the foreign affairs committee."),
            url=fields.pop("url", "/campaigns/"),
        )
    return notification


def unread(user) -> int:
    return User.objects.get(pk=user.pk).unread_notifications


def test_a_notification_is_made_once_per_source(campaigner):
    first = notify(campaigner, 1)
    again = notify(campaigner, 1, title="Another title")

    assert again.pk == first.pk
    assert Notification.objects.get().title == "Reminder 1"
    assert unread(campaigner) == 1


def test_links_out_of_the_app_are_dropped(campaigner):
    assert notify(campaigner, 1, url="javascript:alert(1)").url == ""
    assert notify(campaigner, 2, url="//example.com/").url == ""
    assert notify(campaigner, 3, url="https://example.com/").url == ""
    assert notify(campaigner, 4, url="/campaigns/4/").url == "/campaigns/4/"


def test_the_inbox_lists_ones_own_notifications_newest_first(
    campaigner_client, campaigner, coordinator
):
    notify(campaigner, 1, title="Eight weeks to the meeting")
    notify(campaigner, 2, title="Four weeks to the meeting")
    notify(coordinator, 3, title="Not yours")

    response = campaigner_client.get(INBOX)

    body = response.content.decode()
    assert [n.title for n in response.context["page"]] == [
        "Four weeks to the meeting",
        "Eight weeks to the meeting",
    ]
    assert "Not yours" not in body


def test_the_top_bar_shows_the_unread_count_without_javascript(campaigner_client, campaigner):
    notify(campaigner, 1)
    notify(campaigner, 2)

    body = campaigner_client.get(reverse("home")).content.decode()

    assert 'id="notification-badge"' in body
    assert '<span class="badge badge-count">2<span class="visually-hidden"> unread' in body
    assert 'hx-trigger="every 60s"' in body


def test_the_badge_answers_htmx_polls_with_itself(campaigner_client, campaigner):
    notify(campaigner, 1)

    response = campaigner_client.get(BADGE, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.startswith('<a id="notification-badge"')
    assert ">1<" in body
    assert response["Cache-Control"] == "no-store"


def test_the_badge_tells_htmx_to_stop_once_signed_out(client):
    response = client.get(BADGE)

    assert response.status_code == 286
    assert response.content == b""


# session, user: the count is kept on the user row, so the poll costs nothing more.
BADGE_QUERIES = 2


def test_the_badge_costs_no_query_of_its_own(
    campaigner_client, campaigner, django_assert_num_queries
):
    for n in range(5):
        notify(campaigner, n)
    with django_assert_num_queries(BADGE_QUERIES):
        campaigner_client.get(BADGE)


def test_opening_a_notification_reads_it(campaigner_client, campaigner):
    notification = notify(campaigner, 1, body="Invite the MPs.")

    response = campaigner_client.get(notification.get_absolute_url())

    assert "Invite the MPs." in response.content.decode()
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert unread(campaigner) == 0
    # The bar on that very page already shows the new count.
    assert 'class="badge badge-count"' not in response.content.decode()


def test_someone_elses_notification_is_not_found(campaigner_client, coordinator):
    notification = notify(coordinator, 1)

    assert campaigner_client.get(notification.get_absolute_url()).status_code == 404
    response = campaigner_client.post(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 404
    assert unread(coordinator) == 1


def test_marking_one_read(campaigner_client, campaigner):
    first, second = notify(campaigner, 1), notify(campaigner, 2)

    response = campaigner_client.post(reverse("notification_read", args=[first.pk]))
    campaigner_client.post(reverse("notification_read", args=[first.pk]))  # twice: no change

    assert response.url == INBOX
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert unread(campaigner) == 1


def test_marking_all_read(campaigner_client, campaigner, coordinator):
    for n in range(3):
        notify(campaigner, n)
    notify(coordinator, 9)

    campaigner_client.post(reverse("notification_read_all"))

    assert not Notification.objects.filter(recipient=campaigner, read_at=None).exists()
    assert unread(campaigner) == 0
    assert unread(coordinator) == 1


def test_marking_read_needs_a_post(campaigner_client, campaigner):
    notification = notify(campaigner, 1)

    assert campaigner_client.get(reverse("notification_read_all")).status_code == 405
    response = campaigner_client.get(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 405
    assert unread(campaigner) == 1


def test_mark_read_returns_only_to_pages_of_this_site(campaigner_client, campaigner):
    notification = notify(campaigner, 1)

    response = campaigner_client.post(
        reverse("notification_read", args=[notification.pk]), {"next": "https://evil.example/"}
    )

    assert response.url == INBOX


@pytest.fixture
def busy_inbox(campaigner, coordinator):
    def add(count: int) -> None:
        start = Notification.objects.count()
        for n in range(start, start + count):
            notify(campaigner, n)
            notify(coordinator, n)

    return add


# session, user, the number of notifications for the paginator, one page of notifications,
# the menu's memberships.
INBOX_QUERIES = 5


def test_inbox_queries_do_not_grow(campaigner_client, busy_inbox, django_assert_num_queries):
    busy_inbox(2)
    with django_assert_num_queries(INBOX_QUERIES):
        campaigner_client.get(INBOX)

    busy_inbox(40)
    with django_assert_num_queries(INBOX_QUERIES):
        response = campaigner_client.get(INBOX)
    assert len(response.context["page"]) == 25


def test_preference_is_on_the_profile(campaigner_client, campaigner):
    response = campaigner_client.post(
        reverse("profile"),
        {
            "first_name": "Grace",
            "last_name": "Mensah",
            "language": "en",
            "time_zone": "Pacific/Fiji",
            "reminder_delivery": "digest",
        },
    )

    assert response.status_code == 302
    campaigner.refresh_from_db()
    assert campaigner.reminder_delivery == User.ReminderDelivery.DIGEST
