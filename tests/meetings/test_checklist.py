"""The prep checklist: copied from the organisation's template, ticked with htmx or a plain
form, edited by admins and coordinators; progress on the meeting and the dashboard."""

from django.urls import reverse

from meetings import services
from meetings.models import ChecklistItem, ChecklistTemplate, Meeting
from tests.meetings.factories import MeetingFactory


def tick(client, meeting, item, done=True, **headers):
    url = reverse("meetings:checklist_tick", args=[meeting.pk, item.pk])
    return client.post(url, {"done": "1" if done else "0"}, headers=headers)


def test_the_default_template_is_made_once_with_the_default_items(organisation):
    first = services.checklist_template_for(organisation=organisation)
    second = services.checklist_template_for(organisation=organisation)

    assert first.pk == second.pk
    assert ChecklistTemplate.objects.count() == 1
    assert first.items.count() == 10


def test_ticking_with_htmx_returns_the_checklist_with_its_progress(campaigner_client, meeting):
    item = meeting.checklist.first()

    response = tick(campaigner_client, meeting, item, HX_Request="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="checklist"')
    assert "1 of 10 done" in html
    assert "<html" not in html
    item.refresh_from_db()
    assert item.done_at is not None
    assert item.done_by.email == "campaigner@home.example.org"


def test_ticking_without_javascript_goes_back_to_the_checklist(campaigner_client, meeting):
    item = meeting.checklist.first()

    response = tick(campaigner_client, meeting, item)

    assert response.status_code == 302
    assert response.url == reverse("meetings:detail", args=[meeting.pk]) + "#checklist"
    assert ChecklistItem.objects.get(pk=item.pk).done_at is not None


def test_unticking_clears_the_item(campaigner_client, meeting):
    item = meeting.checklist.first()
    tick(campaigner_client, meeting, item)

    tick(campaigner_client, meeting, item, done=False)

    item.refresh_from_db()
    assert (item.done_at, item.done_by) == (None, None)


def test_a_fully_ticked_checklist_makes_the_meeting_prepared(campaigner_client, meeting):
    items = list(meeting.checklist.all())
    for item in items:
        tick(campaigner_client, meeting, item)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PREPARED

    tick(campaigner_client, meeting, items[0], done=False)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_a_viewer_cannot_tick(client, viewer, meeting):
    client.force_login(viewer)
    item = meeting.checklist.first()

    assert tick(client, meeting, item).status_code == 403
    assert ChecklistItem.objects.get(pk=item.pk).done_at is None


def test_the_meeting_page_shows_progress(campaigner_client, meeting):
    for item in meeting.checklist.all()[:3]:
        tick(campaigner_client, meeting, item)

    response = campaigner_client.get(meeting.get_absolute_url())

    html = response.content.decode()
    assert "3 of 10 done" in html
    assert html.count('aria-pressed="true"') == 3


def test_the_dashboard_shows_next_meetings_with_progress(campaigner_client, meeting):
    tick(campaigner_client, meeting, meeting.checklist.first())

    response = campaigner_client.get(reverse("home"))

    html = response.content.decode()
    assert "Your next meetings" in html
    assert meeting.title in html
    assert "1 of 10 done" in html


def _template_url(organisation):
    return reverse("meetings:checklist_template", args=[organisation.slug])


def test_a_coordinator_adds_an_item_to_the_template(client, coordinator, organisation):
    client.force_login(coordinator)

    response = client.post(_template_url(organisation), {"text": "Book interpretation"})

    assert response.status_code == 302
    template = services.checklist_template_for(organisation=organisation)
    assert list(template.items.values_list("text", flat=True))[-1] == "Book interpretation"
    assert template.items.count() == 11


def test_meetings_planned_later_get_the_new_template(
    client, coordinator, campaigner, organisation, meeting
):
    client.force_login(coordinator)
    client.post(_template_url(organisation), {"text": "Book interpretation"})

    later = MeetingFactory(organisation=organisation, created_by=campaigner)
    services.checklist_copy(meeting=later)

    assert later.checklist.count() == 11
    assert meeting.checklist.count() == 10


def test_an_admin_moves_and_removes_items(client, admin_user, organisation):
    client.force_login(admin_user)
    template = services.checklist_template_for(organisation=organisation)
    first, second = list(template.items.all())[:2]
    url = reverse("meetings:checklist_template_item", args=[organisation.slug, second.pk])

    client.post(url, {"action": "up"})

    texts = list(template.items.values_list("text", flat=True))
    assert texts[:2] == [second.text, first.text]
    assert list(template.items.values_list("position", flat=True)) == list(range(10))

    client.post(url, {"action": "remove"})

    assert second.text not in template.items.values_list("text", flat=True)
    assert list(template.items.values_list("position", flat=True)) == list(range(9))


def test_a_campaigner_cannot_edit_the_template(campaigner_client, organisation):
    response = campaigner_client.post(_template_url(organisation), {"text": "Anything"})

    assert response.status_code == 403
    assert not ChecklistTemplate.objects.filter(items__text="Anything").exists()


def test_an_empty_item_is_refused(client, coordinator, organisation):
    client.force_login(coordinator)

    response = client.post(_template_url(organisation), {"text": ""})

    assert response.status_code == 400
    assert "Please correct the following" in response.content.decode()
