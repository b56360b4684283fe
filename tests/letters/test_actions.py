"""The coordinator's pages: letter actions listed, made and edited; who may see and change
them; templates checked and previewed; targets chosen with the directory's filters;
launching, progress, approval, retries, assignment and printed letters delivered."""

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.models import AuditEvent, Membership, Notification, Visibility
from letters import forms, targets
from letters.models import ActionTarget, Letter, LetterAction, LetterTemplate, Signatory
from tests import factories
from tests.conftest import worker_environment

GOOD_BODY = (
    "Dear {{ target.honorific }} {{ target.full_name }},\nPlease ratify.\n{{ signatory.name }}"
)


@pytest.fixture
def campaign(organisation, coordinator):
    return factories.CampaignFactory(organisation=organisation, created_by=coordinator)


@pytest.fixture
def action(campaign):
    return factories.LetterActionFactory(campaign=campaign, state="draft")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _client_for(client, user):
    client.force_login(user)
    return client


def _next_week() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


@pytest.fixture
def committee():
    """The foreign-affairs committee of Kenya's National Assembly: three members now, one
    who left, and an MP who sits on another committee."""
    kenya = factories.CountryFactory(code="KE", name="Kenya")
    assembly = factories.InstitutionFactory(
        name="National Assembly", kind="parliament", country=kenya
    )
    committee = factories.InstitutionFactory(
        name="Foreign Affairs Committee", kind="committee", country=kenya, parent=assembly
    )
    defence = factories.InstitutionFactory(
        name="Defence Committee", kind="committee", country=kenya
    )
    members = []
    for name in ("Achieng Otieno", "Baraka Mwangi", "Chebet Kiprop"):
        given, family = name.split()
        person = factories.PersonFactory(
            name=name,
            given_name=given,
            family_name=family,
            sort_name=f"{family}, {given}",
            honorific_prefix="Hon.",
        )
        factories.PositionFactory(person=person, institution=assembly, role="MP")
        factories.PositionFactory(person=person, institution=committee, role="member")
        members.append(person)
    former = factories.PersonFactory(name="Daudi Former")
    factories.PositionFactory(
        person=former, institution=committee, end_date=timezone.localdate() - dt.timedelta(days=30)
    )
    other = factories.PersonFactory(name="Esther Defence")
    factories.PositionFactory(person=other, institution=defence)
    return {"committee": committee, "members": members, "former": former, "other": other}


# The list ----------------------------------------------------------------------------------


def test_list_shows_visible_actions_only(coordinator_client, action, outsider):
    hidden = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=outsider.memberships.get().organisation)
    )
    response = coordinator_client.get(reverse("letters:list"))
    assert response.status_code == 200
    page = list(response.context["page"])
    assert action in page and hidden not in page
    assert reverse("letters:create") in response.content.decode()


def test_list_filters_by_campaign_and_state(coordinator_client, action, campaign, organisation):
    other = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=organisation), state="open"
    )
    response = coordinator_client.get(reverse("letters:list"), {"campaign": campaign.pk})
    assert list(response.context["page"]) == [action]
    response = coordinator_client.get(reverse("letters:list"), {"state": "open"})
    assert list(response.context["page"]) == [other]


def test_the_list_leads_to_my_letters(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("letters:list")).content.decode()
    assert f'href="{reverse("letters:my_letters")}"' in html
    assert reverse("letters:create") not in html


def test_a_cosigned_action_in_the_list_counts_its_confirmed_signatories(
    coordinator_client, campaign
):
    cosigned = factories.LetterActionFactory(campaign=campaign, kind="cosigned", title="Sign it")
    factories.SignatoryFactory.create_batch(3, action=cosigned)
    factories.SignatoryFactory(action=cosigned, email_confirmed_at=None)
    factories.LetterActionFactory(campaign=campaign, title="Write it")

    html = coordinator_client.get(reverse("letters:list")).content.decode()

    row = html.split(">Sign it</a>", 1)[1].split("</li>", 1)[0]
    assert "3 confirmed signatories" in row
    other = html.split(">Write it</a>", 1)[1].split("</li>", 1)[0]
    assert "signator" not in other


def test_a_coordinator_whose_campaigns_are_closed_is_not_offered_a_new_action(
    coordinator_client, action, campaign
):
    campaign.is_active = False
    campaign.save(update_fields=["is_active"])

    html = coordinator_client.get(reverse("letters:list")).content.decode()

    assert reverse("letters:create") not in html
    response = coordinator_client.get(reverse("letters:create"))
    assert response.status_code == 302


# session, user, the menu's memberships; campaigns with actions (for the filter); the page
# count and the actions with campaign and organisation joined and their target, letter and
# confirmed signatory counts as subqueries; whether the user may start one.
LIST_QUERIES = 7


def test_list_queries_do_not_grow(coordinator_client, campaign, django_assert_num_queries):
    for _n in range(3):
        action = factories.LetterActionFactory(campaign=campaign)
        factories.ActionTargetFactory.create_batch(2, action=action)
        factories.LetterFactory(action=action)
    for _n in range(2):
        action = factories.LetterActionFactory(campaign=campaign, kind="cosigned")
        factories.SignatoryFactory.create_batch(2, action=action)
    with django_assert_num_queries(LIST_QUERIES):
        coordinator_client.get(reverse("letters:list"))
    for _n in range(4):
        factories.LetterActionFactory(
            campaign=factories.CampaignFactory(organisation=campaign.organisation)
        )
    with django_assert_num_queries(LIST_QUERIES):
        response = coordinator_client.get(reverse("letters:list"))
    assert len(response.context["page"]) == 9


# Creating and editing ----------------------------------------------------------------------


def test_coordinator_creates_a_letter_day(coordinator_client, campaign, coordinator):
    response = coordinator_client.get(reverse("letters:create"), {"campaign": campaign.pk})
    assert response.context["form"].initial["campaign"] == campaign.pk

    response = coordinator_client.post(
        reverse("letters:create"),
        {
            "kind": "letter_day",
            "campaign": campaign.pk,
            "title": "Ratify on treaty day",
            "channel": "email",
            "deliver_on": _next_week().isoformat(),
            "deliver_at": "09:00",
            "zone_policy": "target",
            "time_zone": "UTC",
            "visibility": "coalition",
            "copy_aides": "on",
        },
    )

    action = LetterAction.objects.get(title="Ratify on treaty day")
    assert response.status_code == 302 and response.url == action.get_absolute_url()
    assert action.organisation == campaign.organisation
    assert action.created_by == coordinator
    assert action.state == LetterAction.State.DRAFT
    assert action.visibility == Visibility.COALITION
    assert AuditEvent.objects.filter(action="created", target_id=str(action.pk)).exists()


def test_forms_with_errors_list_them_above_the_fields(coordinator_client, campaign, action):
    created = coordinator_client.post(
        reverse("letters:create"), {"kind": "letter_day", "campaign": campaign.pk, "title": ""}
    ).content.decode()
    assert 'class="error-summary"' in created and 'href="#id_title"' in created

    targets = coordinator_client.get(
        reverse("letters:targets", args=[action.pk]), {"committee": "nobody"}
    ).content.decode()
    assert 'class="error-summary"' in targets and 'href="#id_committee"' in targets


def test_action_form_offers_only_campaigns_the_user_edits(coordinator, outsider):
    foreign = factories.CampaignFactory(organisation=outsider.memberships.get().organisation)
    form = forms.ActionForm(
        {"kind": "letter_day", "campaign": foreign.pk, "title": "x", "channel": "email",
         "deliver_at": "09:00", "zone_policy": "target", "time_zone": "UTC",
         "visibility": "organisation"},
        user=coordinator,
    )  # fmt: skip
    assert not form.is_valid()
    assert "campaign" in form.errors


def _data(campaign, **changes) -> dict:
    data = {
        "kind": "letter_day",
        "campaign": campaign.pk,
        "title": "A letter",
        "channel": "email",
        "deliver_at": "09:00",
        "zone_policy": "target",
        "time_zone": "UTC",
        "visibility": "organisation",
    }
    data.update(changes)
    return data


def test_action_form_checks_foi_public_page_and_date(campaign, coordinator):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    form = forms.ActionForm(
        _data(campaign, kind="foi", constituency_matching="on", deliver_on=yesterday),
        user=coordinator,
    )
    assert not form.is_valid()
    assert set(form.errors) == {"foi_country", "constituency_matching", "deliver_on"}

    kenya = factories.CountryFactory()
    form = forms.ActionForm(
        _data(campaign, kind="foi", foi_country=kenya.pk, deliver_on=_next_week().isoformat()),
        user=coordinator,
    )
    assert form.is_valid(), form.errors


def test_once_launched_the_date_and_channel_are_fixed(action, coordinator, campaign):
    LetterAction.objects.filter(pk=action.pk).update(state="scheduled", deliver_on=_next_week())
    action.refresh_from_db()
    form = forms.ActionForm(
        _data(campaign, channel="print", deliver_on="2031-01-01", title="New title"),
        instance=action,
        user=coordinator,
    )
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.channel == "email" and saved.deliver_on == _next_week()
    assert saved.title == "New title"


def test_the_zones_offered_are_places_and_start_at_the_user_s(
    coordinator_client, coordinator, campaign
):
    coordinator.time_zone = "Europe/London"
    coordinator.save(update_fields=["time_zone"])

    form = coordinator_client.get(reverse("letters:create")).context["form"]

    names = [name for name, _label in form.fields["time_zone"].choices]
    assert names == sorted(names)
    assert {"UTC", "Europe/London", "Africa/Nairobi", "America/Argentina/Buenos_Aires"} <= set(
        names
    )
    assert not {"Factory", "localtime", "posixrules", "Etc/GMT+3", "Etc/UTC"} & set(names)
    assert form["time_zone"].value() == "Europe/London"
    # An action saved with another zone keeps it on offer.
    kept = forms.ActionForm(instance=LetterAction(time_zone="Etc/GMT+3"), user=coordinator).fields[
        "time_zone"
    ]
    assert "Etc/GMT+3" in dict(kept.choices)


def test_a_coordinator_in_an_old_zone_finds_it_chosen_for_a_new_action(
    coordinator_client, coordinator, campaign
):
    coordinator.time_zone = "US/Eastern"
    coordinator.save(update_fields=["time_zone"])

    form = coordinator_client.get(reverse("letters:create")).context["form"]

    assert "US/Eastern" in dict(form.fields["time_zone"].choices)
    assert form["time_zone"].value() == "US/Eastern"
    html = str(form["time_zone"])
    assert '<option value="US/Eastern" selected>' in html


def test_the_form_marks_the_parts_that_depend_on_the_kind_and_zone(coordinator_client, campaign):
    html = coordinator_client.get(reverse("letters:create")).content.decode()

    assert 'data-shown-for-kind="foi"' in html
    foi = html.split('data-shown-for-kind="foi"', 1)[1].split("</fieldset>", 1)[0]
    assert "Freedom-of-information requests" in foi and 'name="foi_country"' in foi
    assert 'data-shown-for-zone-policy="fixed"' in html.split('name="time_zone"', 1)[1][:200]
    assert "js/letters.js" in html


def test_viewers_cannot_start_an_action(client, viewer, campaign):
    response = _client_for(client, viewer).get(reverse("letters:create"))
    assert response.status_code == 302 and response.url == reverse("letters:list")


# Permissions -------------------------------------------------------------------------------


def _edit_requests(action) -> list[tuple[str, str, dict]]:
    return [
        ("get", reverse("letters:update", args=[action.pk]), {}),
        ("post", reverse("letters:launch", args=[action.pk]), {}),
        ("post", reverse("letters:close", args=[action.pk]), {}),
        ("post", reverse("letters:template", args=[action.pk, "en"]), {"en-subject": "x"}),
        ("post", reverse("letters:targets_apply", args=[action.pk]), {"query": "q=a"}),
        ("post", reverse("letters:approve_all", args=[action.pk]), {}),
    ]  # fmt: skip


def _read_pages(action) -> list[str]:
    return [
        reverse("letters:detail", args=[action.pk]),
        reverse("letters:template", args=[action.pk, "en"]),
        reverse("letters:targets", args=[action.pk]),
        reverse("letters:letters", args=[action.pk]),
    ]


def test_viewers_read_but_change_nothing(client, viewer, action):
    LetterTemplateFactory = factories.LetterTemplateFactory
    LetterTemplateFactory(action=action)
    client = _client_for(client, viewer)
    for url in _read_pages(action):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'action="/letters/' not in response.content.decode().split("<main", 1)[1], url
    for method, url, data in _edit_requests(action):
        assert getattr(client, method)(url, data).status_code == 403, url
    action.refresh_from_db()
    assert action.state == LetterAction.State.DRAFT
    assert LetterTemplate.objects.get(action=action).subject == "Please ratify the treaty"


@pytest.mark.parametrize("persona", ["outsider", "coalition_partner"])
def test_people_outside_the_organisation_get_404(client, request, action, persona):
    client = _client_for(client, request.getfixturevalue(persona))
    for url in _read_pages(action):
        assert client.get(url).status_code == 404, url
    for method, url, data in _edit_requests(action):
        assert getattr(client, method)(url, data).status_code == 404, url
    assert action not in client.get(reverse("letters:list")).context["page"]


def test_a_campaigner_of_another_organisation_gets_404(client, action):
    elsewhere = factories.MembershipFactory(role=Membership.Role.CAMPAIGNER).user
    client = _client_for(client, elsewhere)
    assert client.get(reverse("letters:detail", args=[action.pk])).status_code == 404
    assert client.post(reverse("letters:launch", args=[action.pk])).status_code == 404


def test_coalition_partners_see_a_shared_action_but_do_not_run_it(
    client, coalition_partner, action
):
    LetterAction.objects.filter(pk=action.pk).update(visibility=Visibility.COALITION)
    client = _client_for(client, coalition_partner)
    assert client.get(reverse("letters:detail", args=[action.pk])).status_code == 200
    assert client.post(reverse("letters:launch", args=[action.pk])).status_code == 403


def test_campaigners_of_the_organisation_run_it(campaigner_client, action):
    response = campaigner_client.get(reverse("letters:update", args=[action.pk]))
    assert response.status_code == 200


# The overview, launching and progress ------------------------------------------------------


# session, user, menu; the action with campaign, organisation, author, launcher and FOI
# country (joined); its templates (prefetched); whether the user edits it; the letters by
# state; the targets counted; what stands before launch: the targets' time zones (is the
# date past everywhere?) and whether there is any target.
DETAIL_QUERIES = 10


def test_detail_queries_do_not_grow(coordinator_client, action, django_assert_num_queries):
    LetterAction.objects.filter(pk=action.pk).update(deliver_on=_next_week())
    factories.LetterTemplateFactory(action=action)
    factories.ActionTargetFactory.create_batch(3, action=action)
    factories.LetterFactory.create_batch(3, action=action)
    url = reverse("letters:detail", args=[action.pk])
    with django_assert_num_queries(DETAIL_QUERIES):
        coordinator_client.get(url)
    factories.LetterTemplateFactory(action=action, language="fr")
    factories.ActionTargetFactory.create_batch(5, action=action)
    factories.LetterFactory.create_batch(5, action=action, state="failed")
    with django_assert_num_queries(DETAIL_QUERIES):
        response = coordinator_client.get(url)
    assert "English, French" in response.content.decode()


# As above, and the signatories counted; whether anyone has signed asks only whether there
# is one, however many signed; the call to take part asks whether the user may write.
COSIGNED_DETAIL_QUERIES = DETAIL_QUERIES + 3


def test_cosigned_detail_queries_do_not_grow(
    coordinator_client, campaign, django_assert_num_queries
):
    action = factories.LetterActionFactory(
        campaign=campaign, kind="cosigned", state="open", deliver_on=_next_week()
    )
    factories.LetterTemplateFactory(action=action, body="Dear {{ target.full_name }}")
    factories.ActionTargetFactory.create_batch(3, action=action)
    factories.SignatoryFactory.create_batch(2, action=action)
    url = reverse("letters:detail", args=[action.pk])
    with django_assert_num_queries(COSIGNED_DETAIL_QUERIES):
        coordinator_client.get(url)
    factories.SignatoryFactory.create_batch(20, action=action)
    with django_assert_num_queries(COSIGNED_DETAIL_QUERIES) as captured:
        response = coordinator_client.get(url)
    assert response.status_code == 200
    signed = [q["sql"] for q in captured.captured_queries if "letters_signatory" in q["sql"]]
    assert any("LIMIT 1" in sql for sql in signed)


@pytest.mark.parametrize(
    ("name", "tab"),
    [
        ("letters:detail", "Overview"),
        ("letters:targets", "Targets"),
        ("letters:letters", "Letters"),
        ("letters:results", "Results"),
    ],
)
def test_every_action_page_has_the_same_tabs(coordinator_client, action, name, tab):
    html = coordinator_client.get(reverse(name, args=[action.pk])).content.decode()
    nav = html.split('class="action-tabs"', 1)[1].split("</nav>", 1)[0]
    for other in ("detail", "templates", "targets", "letters", "results"):
        assert f'href="{reverse(f"letters:{other}", args=[action.pk])}"' in nav
    [current] = re.findall(r'aria-current="page">([^<]+)</a>', nav)
    assert current == tab
    assert f'<h1 dir="auto">{action.title}</h1>' in html


def test_the_results_page_keeps_its_downloads(coordinator_client, action):
    html = coordinator_client.get(reverse("letters:results", args=[action.pk])).content.decode()
    assert reverse("letters:results_csv", args=[action.pk]) in html
    assert reverse("letters:results_pdf", args=[action.pk]) in html
    assert reverse("letters:update", args=[action.pk]) in html  # the header's settings link


def test_the_overview_links_the_pages_that_apply(coordinator_client, action):
    LetterAction.objects.filter(pk=action.pk).update(
        kind="cosigned", channel="print", public_page=True, state="open"
    )
    action.refresh_from_db()
    html = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()
    assert reverse("letters:public", args=[action.public_key]) in html
    assert reverse("letters:signatories_csv", args=[action.pk]) in html
    assert reverse("letters:combined_pdf", args=[action.pk]) in html


def test_the_overview_calls_writers_to_take_part_while_the_action_is_open(
    client, action, campaigner, viewer
):
    url = reverse("letters:detail", args=[action.pk])
    take_part = reverse("letters:take_part", args=[action.pk])
    client.force_login(campaigner)
    assert take_part not in client.get(url).content.decode()  # a draft: not yet

    LetterAction.objects.filter(pk=action.pk).update(state="open")
    html = client.get(url).content.decode()
    assert f'<a class="button" href="{take_part}">Take part</a>' in html

    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 200
    # Viewers read the action (its facts still link the page), they don't write.
    assert f'class="button" href="{take_part}"' not in response.content.decode()


def test_an_foi_request_has_no_take_part(coordinator_client, action):
    LetterAction.objects.filter(pk=action.pk).update(kind="foi", state="open")
    html = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()
    assert reverse("letters:take_part", args=[action.pk]) not in html


def test_detail_lists_what_stands_before_launch(coordinator_client, action):
    response = coordinator_client.get(reverse("letters:detail", args=[action.pk]))
    missing = response.context["missing"]
    assert any("delivery date" in problem for problem in missing)
    assert any("no template" in problem for problem in missing)
    assert any("no targets" in problem for problem in missing)


def test_launching_with_problems_lists_them_all(coordinator_client, action):
    response = coordinator_client.post(reverse("letters:launch", args=[action.pk]))
    assert response.status_code == 200
    assert len(response.context["launch_errors"]) >= 3
    assert "go ahead yet" in response.content.decode()
    action.refresh_from_db()
    assert action.state == LetterAction.State.DRAFT


def _ready(action):
    LetterAction.objects.filter(pk=action.pk).update(deliver_on=_next_week(), state="open")
    factories.LetterTemplateFactory(action=action, body=GOOD_BODY)
    target = factories.ActionTargetFactory(action=action)
    action.refresh_from_db()
    return target


def test_launching_schedules_and_the_progress_polls(coordinator_client, action):
    target = _ready(action)
    factories.LetterFactory(action=action, target=target.person, state="ready")

    response = coordinator_client.post(reverse("letters:launch", args=[action.pk]))

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.state == LetterAction.State.SCHEDULED
    assert Letter.objects.get(action=action).state == Letter.State.SCHEDULED
    page = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "<progress" in page
    fragment = coordinator_client.get(
        reverse("letters:progress", args=[action.pk]), headers={"HX-Request": "true"}
    )
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="action-progress"')
    assert "every 2s" in html and "Scheduled" in html and "<html" not in html


def test_progress_stops_polling_once_sent(coordinator_client, action):
    LetterAction.objects.filter(pk=action.pk).update(state="sent")
    factories.LetterFactory(action=action, state="sent")
    fragment = coordinator_client.get(
        reverse("letters:progress", args=[action.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "every 2s" not in fragment
    assert 'value="1"' in fragment  # one of one letters done


def test_open_unschedule_and_close(coordinator_client, action):
    factories.LetterTemplateFactory(action=action, body=GOOD_BODY)
    coordinator_client.post(reverse("letters:open", args=[action.pk]))
    action.refresh_from_db()
    assert action.state == LetterAction.State.OPEN

    _target = factories.ActionTargetFactory(action=action)
    LetterAction.objects.filter(pk=action.pk).update(deliver_on=_next_week())
    coordinator_client.post(reverse("letters:launch", args=[action.pk]))
    action.refresh_from_db()
    assert action.state == LetterAction.State.SCHEDULED

    coordinator_client.post(reverse("letters:unschedule", args=[action.pk]))
    action.refresh_from_db()
    assert action.state == LetterAction.State.OPEN

    coordinator_client.post(reverse("letters:close", args=[action.pk]))
    action.refresh_from_db()
    assert action.state == LetterAction.State.CLOSED


def test_failed_letters_show_their_error_and_go_again(coordinator_client, action):
    LetterAction.objects.filter(pk=action.pk).update(state="sending")
    failed = factories.LetterFactory(
        action=action, state="failed", attempts=5, last_error="550 No such mailbox"
    )
    other = factories.LetterFactory(action=action, state="failed", last_error="No email address")
    page = coordinator_client.get(reverse("letters:letters", args=[action.pk]), {"state": "failed"})
    html = page.content.decode()
    assert "550 No such mailbox" in html and "No email address" in html

    coordinator_client.post(reverse("letters:retry", args=[action.pk, failed.pk]))
    failed.refresh_from_db()
    assert failed.state == Letter.State.SCHEDULED
    coordinator_client.post(reverse("letters:retry_failed", args=[action.pk]))
    other.refresh_from_db()
    assert other.state == Letter.State.SCHEDULED


def test_the_overview_of_a_cosigned_letter_counts_its_signatories(coordinator_client, action):
    LetterAction.objects.filter(pk=action.pk).update(kind="cosigned", state="open")
    factories.SignatoryFactory.create_batch(6, action=action)
    factories.SignatoryFactory.create_batch(2, action=action, email_confirmed_at=None)

    html = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()

    count = html.split('id="signatory-count">', 1)[1].split("</p>", 1)[0]
    assert "6 people have signed" in count
    assert "2 more wait to confirm their email address" in count
    assert reverse("letters:signatories_csv", args=[action.pk]) in count
    assert "No letters yet" not in html


def test_the_overview_lets_written_text_take_its_own_direction(coordinator_client, action):
    LetterAction.objects.filter(pk=action.pk).update(
        summary="The treaty comes before the committee.",
        talking_points="It saves lives.\nلأنها تنقذ الأرواح.",
    )

    html = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()

    assert '<div dir="auto"><p>The treaty comes before the committee.</p></div>' in html
    assert '<ul class="points"><li dir="auto">It saves lives.</li><li dir="auto">' in html
    assert f'<h1 dir="auto">{action.title}</h1>' in html


def test_the_progress_says_letter_or_letters_by_their_number(coordinator_client, action):
    target = _ready(action)
    factories.LetterFactory(action=action, target=target.person, state="scheduled")
    LetterAction.objects.filter(pk=action.pk).update(state="scheduled")

    html = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()

    assert "0 of 1 letter done (0%)</label>" in html


def _eight_targets_one_letter(action):
    _ready(action)
    factories.ActionTargetFactory.create_batch(7, action=action)
    first = action.targets.order_by("pk").first()
    factories.LetterFactory(action=action, target=first.person, state="ready")
    factories.LetterFactory(action=action, target=first.person, state="draft")


def test_launching_is_confirmed_first_and_counts_the_targets_without_a_letter(
    coordinator_client, action
):
    _eight_targets_one_letter(action)
    url = reverse("letters:launch", args=[action.pk])
    overview = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()
    assert f'<a class="button" href="{url}">Launch</a>' in overview
    assert "7 of 8 targets have no letter yet" in overview

    confirm = coordinator_client.get(url)

    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "1 letter will be scheduled" in html
    assert "7 of 8 targets have no letter yet" in html
    assert "go out at once" not in html
    action.refresh_from_db()
    assert action.state == LetterAction.State.OPEN  # looking launches nothing

    response = coordinator_client.post(url, follow=True)

    action.refresh_from_db()
    assert action.state == LetterAction.State.SCHEDULED
    [message] = [str(m) for m in response.context["messages"]]
    assert message == (
        "Launched: 1 letter scheduled; more follow as they are ready. 7 targets have no letter yet."
    )
    assert "7 of 8 targets have no letter yet" in response.content.decode()


def test_the_targets_without_a_letter_are_marked_and_listed_on_their_own(
    coordinator_client, action
):
    _eight_targets_one_letter(action)
    written = action.targets.order_by("pk").first()
    targets_url = reverse("letters:targets", args=[action.pk])
    unwritten_url = f"{targets_url}?unwritten=1"
    overview = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()
    confirm = coordinator_client.get(reverse("letters:launch", args=[action.pk])).content.decode()
    assert f'href="{unwritten_url}">The targets without a letter</a>' in overview
    assert f'href="{unwritten_url}">The targets without a letter</a>' in confirm

    every = coordinator_client.get(targets_url)
    only = coordinator_client.get(unwritten_url)

    assert every.content.decode().count("no letter yet</span>") == 7
    assert len(every.context["page"]) == 8
    html = only.content.decode()
    assert len(only.context["page"]) == 7
    assert written.pk not in [t.pk for t in only.context["page"]]
    assert "7 targets without a letter</h2>" in html
    assert ">All 8 targets</a>" in html
    assert html.count("no letter yet</span>") == 7


def test_before_launch_a_cosigned_letter_s_targets_are_not_missing_one(coordinator_client, action):
    LetterAction.objects.filter(pk=action.pk).update(kind="cosigned")
    factories.ActionTargetFactory.create_batch(2, action=action)
    url = reverse("letters:targets", args=[action.pk])

    assert "no letter yet" not in coordinator_client.get(url).content.decode()
    assert len(coordinator_client.get(url, {"unwritten": "1"}).context["page"]) == 2


def test_the_launch_page_says_the_time_and_its_zone_in_one_sentence(coordinator_client, action):
    _eight_targets_one_letter(action)
    LetterAction.objects.filter(pk=action.pk).update(deliver_on=dt.date(2099, 12, 6))
    url = reverse("letters:launch", args=[action.pk])

    html = coordinator_client.get(url).content.decode()

    assert (
        "<li>1 letter will be scheduled for Dec. 6, 2099 at 9 a.m. in each target's own time "
        "zone.</li>"
    ) in re.sub(r"\s+", " ", html)
    assert "a.m.." not in html
    assert "You can take it back until the first letter goes out." in html

    LetterAction.objects.filter(pk=action.pk).update(zone_policy="fixed", time_zone="Europe/London")
    html = coordinator_client.get(url).content.decode()

    assert "1 letter will be scheduled for Dec. 6, 2099 at 9 a.m. (Europe/London)." in html


def test_the_launch_page_of_a_cosigned_letter_counts_its_signatories(coordinator_client, action):
    _ready(action)
    LetterAction.objects.filter(pk=action.pk).update(kind="cosigned")
    action.templates.update(body="Dear {{ target.full_name }}")
    factories.SignatoryFactory.create_batch(6, action=action)
    factories.SignatoryFactory.create_batch(2, action=action, email_confirmed_at=None)

    html = coordinator_client.get(reverse("letters:launch", args=[action.pk])).content.decode()

    line = html.split('id="launch-signatories">', 1)[1].split("</li>", 1)[0]
    assert "Each letter carries 6 confirmed signatures." in line
    assert "2 more people wait to confirm their email address" in line


def test_the_launch_page_lists_the_problems_instead(coordinator_client, action):
    response = coordinator_client.get(reverse("letters:launch", args=[action.pk]))

    assert len(response.context["launch_errors"]) >= 3
    assert "go ahead yet" in response.content.decode()


def _due_this_morning(action, **changes):
    """Delivery today at midnight UTC: the time has passed (unless the test runs at
    midnight exactly)."""
    LetterAction.objects.filter(pk=action.pk).update(
        deliver_on=timezone.now().astimezone(dt.UTC).date(),
        deliver_at=dt.time(0, 0),
        zone_policy="fixed",
        time_zone="UTC",
        **changes,
    )
    action.refresh_from_db()


def test_launching_past_the_delivery_time_warns_the_letters_go_at_once(coordinator_client, action):
    _eight_targets_one_letter(action)
    _due_this_morning(action)

    html = coordinator_client.get(reverse("letters:launch", args=[action.pk])).content.decode()

    assert "The delivery time has passed: the letters will go out at once." in html
    # They go as it is launched: there is no time to take it back.
    assert "You can take it back" not in html


def test_once_the_delivery_time_passed_the_overview_does_not_say_to_arrive(
    coordinator_client, action
):
    _eight_targets_one_letter(action)
    url = reverse("letters:detail", args=[action.pk])
    LetterAction.objects.filter(pk=action.pk).update(state="scheduled")
    assert "to arrive at" in coordinator_client.get(url).content.decode()

    _due_this_morning(action)
    html = coordinator_client.get(url).content.decode()

    assert "to arrive at" not in html
    assert "letters were due on" in html


def test_closing_is_confirmed_first_and_leaves_no_empty_what_next(coordinator_client, action):
    target = _ready(action)
    factories.LetterFactory(action=action, target=target.person, state="scheduled")
    LetterAction.objects.filter(pk=action.pk).update(state="scheduled")
    url = reverse("letters:close", args=[action.pk])
    overview = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()
    assert f'href="{url}">Close the action</a>' in overview

    confirm = coordinator_client.get(url).content.decode()

    assert "1 scheduled letter will not go out." in confirm
    action.refresh_from_db()
    assert action.state == LetterAction.State.SCHEDULED

    response = coordinator_client.post(url, follow=True)

    action.refresh_from_db()
    assert action.state == LetterAction.State.CLOSED
    assert "What next" not in response.content.decode()
    # Closed already: the page says so instead of asking again.
    assert coordinator_client.get(url).status_code == 302


def test_the_overview_and_the_list_show_when_an_foi_answer_is_due(coordinator_client, action):
    LetterAction.objects.filter(pk=action.pk).update(kind="foi", state="sending")
    factories.LetterFactory(
        action=action, signatory=None, state="sent", foi_deadline=dt.date(2026, 12, 9)
    )
    factories.LetterFactory(action=action, signatory=None, state="scheduled")

    overview = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()
    listing = coordinator_client.get(reverse("letters:list")).content.decode()

    assert "Answer due by</dt><dd>Dec. 9, 2026</dd>" in overview
    assert "answer due by Dec. 9, 2026" in listing


# Templates ---------------------------------------------------------------------------------


def _template_post(client, action, language="en", **data):
    fields = {f"{language}-{name}": value for name, value in data.items()}
    return client.post(reverse("letters:template", args=[action.pk, language]), fields)


def test_a_misspelt_field_is_shown_and_nothing_is_saved(coordinator_client, action):
    response = _template_post(
        coordinator_client, action, subject="Please act", body="Dear {{ target.ful_name }},"
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "body" in form.errors and "subject" not in form.errors
    html = response.content.decode()
    # Next to the field, with the suggestion.
    assert 'id="id_en-body_error"' in html
    # And in the summary above the form, linked to it.
    assert 'class="error-summary"' in html and 'href="#id_en-body"' in html
    assert "Did you mean {{ target.full_name }}?" in html.replace("&#x27;", "'")
    assert not LetterTemplate.objects.filter(action=action).exists()


def test_a_wrong_edit_leaves_the_saved_template_alone(coordinator_client, action):
    template = factories.LetterTemplateFactory(action=action)
    _template_post(coordinator_client, action, subject="{{ oops }}", body="Fine")
    template.refresh_from_db()
    assert template.subject == "Please ratify the treaty"


def test_a_co_signed_letter_cannot_use_the_writer_s_fields(coordinator_client, campaign):
    action = factories.LetterActionFactory(campaign=campaign, kind="cosigned", state="draft")
    response = _template_post(
        coordinator_client, action, subject="Ratify", body="From {{ signatory.name }}"
    )
    assert "many signatories" in str(response.context["form"].errors["body"])
    assert not LetterTemplate.objects.filter(action=action).exists()
    fields = [f.name for f in response.context["fields"]]
    assert "target.full_name" in fields and "signatory.name" not in fields


def test_a_good_template_is_saved_per_language(coordinator_client, action):
    response = _template_post(
        coordinator_client,
        action,
        "ar",
        subject="صادقوا على المعاهدة",
        body="السيد {{ target.full_name }}",
    )
    assert response.status_code == 302
    template = LetterTemplate.objects.get(action=action)
    assert template.language == "ar" and "target.full_name" in template.body
    page = coordinator_client.get(reverse("letters:template", args=[action.pk, "ar"]))
    html = page.content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "{{ target.constituency }}" in html  # the list of fields to insert


def test_removing_a_language_asks_first_and_is_recorded(coordinator_client, coordinator, action):
    factories.LetterTemplateFactory(action=action, language="en")
    factories.LetterTemplateFactory(action=action, language="fr", subject="Ratifiez le traité")
    url = reverse("letters:template_delete", args=[action.pk, "fr"])
    page = coordinator_client.get(reverse("letters:template", args=[action.pk, "fr"]))
    assert f'href="{url}"' in page.content.decode()

    response = coordinator_client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove the letter in French?" in html and "Ratifiez le traité" in html
    assert LetterTemplate.objects.filter(action=action, language="fr").exists()

    response = coordinator_client.post(url)

    assert response.status_code == 302
    assert list(action.templates.values_list("language", flat=True)) == ["en"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATED, target_id=str(action.pk))
    assert event.actor == coordinator
    assert event.detail == {"template": "fr", "removed": True}
    assert coordinator_client.get(url).status_code == 404


def test_a_launched_action_s_letter_is_not_removed(coordinator_client, action, viewer, client):
    factories.LetterTemplateFactory(action=action, language="fr")
    url = reverse("letters:template_delete", args=[action.pk, "fr"])
    LetterAction.objects.filter(pk=action.pk).update(state="scheduled")
    assert coordinator_client.post(url).status_code == 403
    LetterAction.objects.filter(pk=action.pk).update(state="draft")
    assert _client_for(client, viewer).post(url).status_code == 403
    assert LetterTemplate.objects.filter(action=action, language="fr").exists()


def test_the_preview_uses_a_real_target(coordinator_client, action, committee):
    member = committee["members"][0]
    target = factories.ActionTargetFactory(action=action, person=member)
    response = coordinator_client.post(
        reverse("letters:template_preview", args=[action.pk, "en"]),
        {"en-subject": "For {{ target.family_name }}", "en-body": GOOD_BODY, "target": target.pk},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="template-preview"')
    assert "For Otieno" in html
    assert "Dear Hon. Achieng Otieno," in html
    assert "Amina Odhiambo" in html  # the writer: an example


def test_the_preview_says_which_fields_came_out_empty(coordinator_client, action, committee):
    target = factories.ActionTargetFactory(action=action, person=committee["members"][0])
    body = "As {{ target.title }} for {{ target.constituency }}, {{ target.party }} Hon."
    response = coordinator_client.post(
        reverse("letters:template_preview", args=[action.pk, "en"]),
        {"en-subject": "Hi", "en-body": body, "target": target.pk},
    )
    html = response.content.decode()
    note = html.split('id="preview-empty">', 1)[1].split("</p>", 1)[0]
    assert "{{ target.constituency }}</code> (Their constituency)" in note
    assert "{{ target.party }}</code> (Their party)" in note
    assert "target.title" not in note  # "MP": it has a value

    full = coordinator_client.post(
        reverse("letters:template_preview", args=[action.pk, "en"]),
        {"en-subject": "Hi", "en-body": "Dear {{ target.full_name }}", "target": target.pk},
    )
    assert "preview-empty" not in full.content.decode()


def test_an_foi_request_s_preview_says_the_organisation_has_no_constituency(
    coordinator_client, campaign
):
    action = factories.LetterActionFactory(campaign=campaign, kind="foi", state="draft")
    response = coordinator_client.post(
        reverse("letters:template_preview", args=[action.pk, "en"]),
        {"en-subject": "Request", "en-body": "From {{ signatory.constituency }}"},
    )
    html = response.content.decode()
    assert "{{ signatory.constituency }}</code> (Your constituency)" in html
    assert "Westlands" not in html.split('id="preview-heading"', 1)[1]


def test_the_letter_s_language_is_named_in_the_page_s_language(coordinator_client, action):
    html = coordinator_client.get(reverse("letters:template", args=[action.pk, "fr"])).content
    assert "The letter in French</h2>" in html.decode()
    assert "français" in html.decode()  # the tab names each language in its own


def test_the_preview_uses_example_values_without_targets(coordinator_client, action):
    response = coordinator_client.post(
        reverse("letters:template_preview", args=[action.pk, "en"]),
        {"en-subject": "Hi", "en-body": "Dear {{ target.full_name }}"},
    )
    assert "Dear Jane Wanjiru" in response.content.decode()


def test_an_foi_request_is_signed_by_the_organisation(coordinator_client, campaign):
    action = factories.LetterActionFactory(campaign=campaign, kind="foi", state="draft")
    response = coordinator_client.post(
        reverse("letters:template_preview", args=[action.pk, "en"]),
        {"en-subject": "Request", "en-body": "Yours, {{ signatory.name }}"},
    )
    assert f"Yours, {campaign.organisation.name}" in response.content.decode()


def test_the_preview_shows_errors_instead(coordinator_client, action):
    response = coordinator_client.post(
        reverse("letters:template_preview", args=[action.pk, "en"]),
        {"en-subject": "Hi", "en-body": "Dear {{ target.nme }}"},
    )
    html = response.content.decode()
    assert "Unknown field" in html and "Dear" not in html.split("Preview", 1)[1].split("Unknown")[0]


def test_preview_without_javascript_does_not_save(coordinator_client, action):
    response = coordinator_client.post(
        reverse("letters:template", args=[action.pk, "en"]),
        {"en-subject": "Hi", "en-body": "Dear {{ target.full_name }}", "preview": "1"},
    )
    assert response.status_code == 200
    assert "Dear Jane Wanjiru" in response.content.decode()
    assert not LetterTemplate.objects.filter(action=action).exists()


# session, user, menu; the action with campaign and organisation and its templates;
# whether the user edits it; the preview's targets; the target's positions (two).
TEMPLATE_QUERIES = 8


def test_template_page_queries(coordinator_client, action, django_assert_num_queries):
    factories.LetterTemplateFactory(action=action)
    factories.ActionTargetFactory.create_batch(5, action=action)
    with django_assert_num_queries(TEMPLATE_QUERIES):
        response = coordinator_client.get(reverse("letters:template", args=[action.pk, "en"]))
    assert response.context["preview"] is not None


# session, user; the action with campaign and organisation; the chosen target (checked to
# be the action's); its positions (two). Not whether the user edits the action, nor the
# targets the select lists: the preview alone is drawn, on each keystroke.
PREVIEW_QUERIES = 5


def test_preview_queries(coordinator_client, action, committee, django_assert_num_queries):
    targets = factories.ActionTargetFactory.create_batch(5, action=action)
    url = reverse("letters:template_preview", args=[action.pk, "en"])
    data = {"en-subject": "Hi", "en-body": "Dear {{ target.full_name }}", "target": targets[0].pk}
    with django_assert_num_queries(PREVIEW_QUERIES):
        response = coordinator_client.post(url, data, headers={"HX-Request": "true"})
    assert f"Dear {targets[0].person.name}" in response.content.decode()


# Targets -----------------------------------------------------------------------------------


def test_the_committee_filter_finds_its_current_members(coordinator_client, action, committee):
    url = reverse("letters:targets", args=[action.pk])
    response = coordinator_client.get(url, {"committee": committee["committee"].pk})
    preview = response.context["preview"]
    assert preview.count == 3
    assert {p.pk for p in preview.people} == {p.pk for p in committee["members"]}
    assert preview.query == f"committee={committee['committee'].pk}"


def test_applying_the_committee_filter_makes_the_targets(coordinator_client, action, committee):
    query = f"committee={committee['committee'].pk}"
    response = coordinator_client.post(
        reverse("letters:targets_apply", args=[action.pk]), {"query": query, "replace": "0"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.target_query == query
    rows = ActionTarget.objects.filter(action=action)
    assert {t.person_id for t in rows} == {p.pk for p in committee["members"]}
    assert {t.time_zone for t in rows} == {"Africa/Nairobi"}

    page = coordinator_client.get(reverse("letters:targets", args=[action.pk]))
    assert page.context["total"] == 3
    # The saved filter comes back on the page.
    assert page.context["filter_form"].data["committee"] == str(committee["committee"].pk)


def test_applying_again_adds_only_the_new_ones(action, committee, coordinator):
    form = targets.filter_form(action, None, user=coordinator)
    form.data = form.data.copy()
    form.data["committee"] = str(committee["committee"].pk)
    assert form.is_valid()
    assert (
        targets.targets_apply(action=action, form=form, replace=False, user=coordinator).added == 3
    )
    assert (
        targets.targets_apply(action=action, form=form, replace=False, user=coordinator).added == 0
    )


def test_replacing_keeps_targets_somebody_wrote_to(action, committee, coordinator):
    kept = factories.ActionTargetFactory(action=action, person=committee["other"])
    factories.LetterFactory(action=action, target=committee["other"], state="submitted")
    dropped = factories.ActionTargetFactory(action=action)
    form = targets.filter_form(
        action, _query_dict(f"committee={committee['committee'].pk}"), user=coordinator
    )
    assert form.is_valid()

    applied = targets.targets_apply(action=action, form=form, replace=True, user=coordinator)

    assert (applied.added, applied.removed, applied.kept) == (3, 1, 1)
    assert ActionTarget.objects.filter(pk=kept.pk).exists()
    assert not ActionTarget.objects.filter(pk=dropped.pk).exists()


def _query_dict(query):
    from django.http import QueryDict

    return QueryDict(query)


def test_once_everyone_found_is_a_target_only_the_others_are_offered(
    coordinator_client, action, committee
):
    url = reverse("letters:targets", args=[action.pk])
    apply = reverse("letters:targets_apply", args=[action.pk])
    query = {"committee": committee["committee"].pk}
    coordinator_client.post(
        reverse("letters:target_add", args=[action.pk]), {"person": committee["members"][0].pk}
    )
    html = coordinator_client.get(url, query).content.decode()
    assert "Add the 2 people not yet targets" in html
    assert "Add these 3 people" not in html
    # Nobody else is a target: "make these the targets" would only add, as "Add" does.
    assert "Make these 3 people the targets" not in html

    coordinator_client.post(apply, {"query": f"committee={committee['committee'].pk}"})
    html = coordinator_client.get(url, query).content.decode()

    assert "They are all targets already." in html
    assert f'action="{apply}"' not in html
    # Applying again anyway says so rather than "0 people added".
    response = coordinator_client.post(
        apply, {"query": f"committee={committee['committee'].pk}"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Nobody new: they are all targets already."
    ]
    # With another target outside the filter, making these the targets would drop them.
    coordinator_client.post(
        reverse("letters:target_add", args=[action.pk]), {"person": committee["other"].pk}
    )
    html = coordinator_client.get(url, query).content.decode()
    assert "Make these 3 people the targets" in html
    assert "It removes 1 target the filter does not match." in html


def test_making_these_the_targets_says_how_many_it_removes_and_keeps(
    coordinator_client, action, committee
):
    for person in committee["members"]:
        factories.ActionTargetFactory(action=action, person=person)
    outside = factories.ActionTargetFactory.create_batch(3, action=action)
    factories.LetterFactory(action=action, target=outside[0].person, state="ready")
    url = reverse("letters:targets", args=[action.pk])

    html = coordinator_client.get(url, {"committee": committee["committee"].pk}).content.decode()

    note = html.split('id="replace-removes">', 1)[1].split("</span>", 1)[0]
    assert "It removes 2 targets the filter does not match." in note
    assert "1 more stays: somebody wrote to them." in note
    assert 'aria-describedby="replace-removes">Make these 3 people the targets' in html
    # Only the one somebody wrote to is left out: making these the targets removes nobody.
    ActionTarget.objects.filter(pk__in=[t.pk for t in outside[1:]]).delete()
    html = coordinator_client.get(url, {"committee": committee["committee"].pk}).content.decode()
    assert "Make these 3 people the targets" not in html


def test_institutions_of_the_same_name_say_their_country(coordinator_client, action, committee):
    uganda = factories.CountryFactory(code="UG", name="Uganda")
    factories.InstitutionFactory(name="Foreign Affairs Committee", kind="committee", country=uganda)
    for country in (committee["committee"].country, uganda):
        factories.InstitutionFactory(name="Ministry of Foreign Affairs", country=country)

    html = coordinator_client.get(reverse("letters:targets", args=[action.pk])).content.decode()

    assert ">Foreign Affairs Committee (Kenya)</option>" in html
    assert ">Foreign Affairs Committee (Uganda)</option>" in html
    assert ">Ministry of Foreign Affairs (Kenya)</option>" in html
    assert ">Ministry of Foreign Affairs (Uganda)</option>" in html
    assert ">Defence Committee</option>" in html  # a name of its own stays as it is


def test_an_mp_s_constituency_is_said_once(coordinator_client, action):
    uk = factories.CountryFactory(code="GB", name="United Kingdom")
    commons = factories.InstitutionFactory(name="House of Commons", kind="parliament", country=uk)
    leeds = factories.AreaFactory(name="Leeds West", country=uk)
    mp = factories.PersonFactory(name="Rachel Reeves")
    factories.PositionFactory(
        person=mp, institution=commons, area=leeds, role="MP", post_label="Member for Leeds West"
    )

    html = coordinator_client.get(
        reverse("letters:targets", args=[action.pk]), {"country": "GB"}
    ).content.decode()

    assert "Member for Leeds West, House of Commons</span>" in html
    assert "(Leeds West)" not in html


def test_the_whole_directory_is_never_applied(coordinator_client, action, committee):
    coordinator_client.post(reverse("letters:targets_apply", args=[action.pk]), {"query": ""})
    assert not ActionTarget.objects.filter(action=action).exists()


def test_no_filter_no_preview(coordinator_client, action, committee):
    response = coordinator_client.get(reverse("letters:targets", args=[action.pk]))
    assert response.context.get("preview") is None
    assert "Choose at least one filter" in response.content.decode()


def test_the_time_zone_follows_the_seat_s_country(action, coordinator):
    france = factories.CountryFactory(code="FR", name="France")
    assembly = factories.InstitutionFactory(kind="parliament", country=france)
    party = factories.PartyFactory(country=None)
    deputy = factories.PersonFactory()
    factories.PositionFactory(person=deputy, institution=party)
    factories.PositionFactory(person=deputy, institution=assembly, role="MP")

    target = targets.target_add(action=action, person=deputy, user=coordinator)

    assert target.time_zone == "Europe/Paris"


def test_add_and_remove_one_person(coordinator_client, action, committee):
    person = committee["other"]
    coordinator_client.post(reverse("letters:target_add", args=[action.pk]), {"person": person.pk})
    target = ActionTarget.objects.get(action=action, person=person)
    coordinator_client.post(reverse("letters:target_remove", args=[action.pk, target.pk]))
    assert not ActionTarget.objects.filter(action=action).exists()


def test_target_changes_are_kept_in_the_audit_trail(
    coordinator_client, coordinator, action, committee
):
    person = committee["other"]
    coordinator_client.post(reverse("letters:target_add", args=[action.pk]), {"person": person.pk})
    target = ActionTarget.objects.get(action=action, person=person)
    coordinator_client.post(reverse("letters:target_remove", args=[action.pk, target.pk]))
    query = f"committee={committee['committee'].pk}"
    coordinator_client.post(reverse("letters:targets_apply", args=[action.pk]), {"query": query})

    events = AuditEvent.objects.filter(target_id=str(action.pk)).order_by("pk")
    assert [e.detail for e in events] == [
        {"targets": {"added": [person.pk]}},
        {"targets": {"removed": [person.pk]}},
        {"targets": {"filter": query, "added": 3, "removed": 0}},
    ]
    assert {e.actor for e in events} == {coordinator}


def test_targets_cannot_change_once_launched(coordinator_client, action, committee):
    LetterAction.objects.filter(pk=action.pk).update(state="scheduled")
    response = coordinator_client.post(
        reverse("letters:target_add", args=[action.pk]), {"person": committee["other"].pk}
    )
    assert response.status_code == 302
    assert not ActionTarget.objects.filter(action=action).exists()
    page = coordinator_client.get(reverse("letters:targets", args=[action.pk]))
    assert "filter_form" not in page.context


def test_targets_show_aides_copied_and_missing_email(coordinator_client, action, committee):
    member = committee["members"][0]
    factories.ActionTargetFactory(action=action, person=member)
    aide = factories.PersonFactory(name="Faith Aide")
    factories.PositionFactory(person=aide, institution=committee["committee"], to_person=member)
    factories.ContactPointFactory(person=aide)
    html = coordinator_client.get(reverse("letters:targets", args=[action.pk])).content.decode()
    assert "Aides copied:" in html and "Faith Aide" in html
    assert "no email address" in html  # the member has none


def test_an_email_address_valid_only_from_next_month_is_no_address_yet(
    coordinator_client, action, committee
):
    member = committee["members"][0]
    factories.ActionTargetFactory(action=action, person=member)
    factories.ContactPointFactory(
        person=member, valid_from=timezone.localdate() + dt.timedelta(days=30)
    )
    html = coordinator_client.get(reverse("letters:targets", args=[action.pk])).content.decode()
    # As delivery would find it on the day: no current address.
    assert "no email address" in html


@pytest.mark.parametrize(
    ("kind", "channel", "copied"),
    [
        ("letter_day", "email", True),
        ("foi", "email", True),  # letters.delivery copies aides on every emailed letter
        ("cosigned", "hand", False),
        ("letter_day", "print", False),
    ],
)
def test_only_emailed_letters_say_their_aides_get_a_copy(
    coordinator_client, action, committee, kind, channel, copied
):
    LetterAction.objects.filter(pk=action.pk).update(kind=kind, channel=channel, copy_aides=True)
    member = committee["members"][0]
    factories.ActionTargetFactory(action=action, person=member)
    aide = factories.PersonFactory(name="Faith Aide")
    factories.PositionFactory(person=aide, institution=committee["committee"], to_person=member)

    overview = coordinator_client.get(reverse("letters:detail", args=[action.pk])).content.decode()
    listing = coordinator_client.get(reverse("letters:targets", args=[action.pk])).content.decode()

    assert ("their aides get a copy" in overview) is copied
    assert ("Aides copied:" in listing) is copied


# session, user, menu; the action (joined) and whether the user edits it; the targets
# counted; the filter: its committee checked, the people it finds counted, the first of
# them with their positions, the targets it leaves out counted; a page of targets with
# whether they have an email address and a letter; their aides; the filter form's lists:
# countries, institutions, tags, campaigns; the people targets may be assigned to.
TARGETS_QUERIES = 18


def test_targets_page_queries(coordinator_client, action, committee, django_assert_num_queries):
    for person in committee["members"]:
        factories.ActionTargetFactory(action=action, person=person)
    url = reverse("letters:targets", args=[action.pk])
    query = {"committee": committee["committee"].pk}
    with django_assert_num_queries(TARGETS_QUERIES):
        coordinator_client.get(url, query)
    for _n in range(5):
        factories.ActionTargetFactory(action=action)
    with django_assert_num_queries(TARGETS_QUERIES):
        response = coordinator_client.get(url, query)
    assert response.context["total"] == 8


def test_edit_a_target_s_zone_and_assignee(coordinator_client, action, campaigner, outsider):
    target = factories.ActionTargetFactory(action=action)
    url = reverse("letters:target", args=[action.pk, target.pk])
    response = coordinator_client.post(
        url, {"time_zone": "Europe/Paris", "assigned_to": outsider.pk}
    )
    assert response.status_code == 200 and "assigned_to" in response.context["form"].errors
    coordinator_client.post(url, {"time_zone": "Europe/Paris", "assigned_to": campaigner.pk})
    target.refresh_from_db()
    assert (target.time_zone, target.assigned_to) == ("Europe/Paris", campaigner)


def test_assign_ticked_targets(coordinator_client, action, campaigner, viewer):
    first, second, third = factories.ActionTargetFactory.create_batch(3, action=action)
    url = reverse("letters:targets_assign", args=[action.pk])
    coordinator_client.post(url, {"targets": [first.pk, second.pk], "assignee": campaigner.pk})
    assert set(ActionTarget.objects.filter(assigned_to=campaigner)) == {first, second}
    # Viewers don't write letters.
    coordinator_client.post(url, {"targets": [third.pk], "assignee": viewer.pk})
    third.refresh_from_db()
    assert third.assigned_to is None


def test_partners_can_be_assigned_when_the_coalition_takes_part(action, coalition_partner):
    from letters import coordination

    assert coalition_partner not in coordination.assignees(action)
    action.visibility = Visibility.COALITION
    assert coalition_partner in coordination.assignees(action)


def test_printed_letters_marked_delivered(coordinator_client, campaign):
    action = factories.LetterActionFactory(campaign=campaign, channel="print", state="sending")
    target = factories.ActionTargetFactory(action=action)
    letter = factories.LetterFactory(action=action, target=target.person, state="printed")
    coordinator_client.post(
        reverse("letters:targets_delivered", args=[action.pk]), {"targets": [target.pk]}
    )
    letter.refresh_from_db()
    target.refresh_from_db()
    assert letter.state == Letter.State.SENT and target.delivered_at is not None
    ActionTarget.objects.filter(pk=target.pk).update(
        delivered_at=dt.datetime(2026, 10, 29, 12, 0, tzinfo=dt.UTC)
    )
    html = coordinator_client.get(reverse("letters:targets", args=[action.pk])).content.decode()
    assert "delivered Oct. 29, 2026" in html  # not 10/29/2026, month first


# Letters and approval ----------------------------------------------------------------------


@pytest.fixture
def submitted(action, campaigner):
    LetterAction.objects.filter(pk=action.pk).update(requires_approval=True, state="open")
    signatory = factories.SignatoryFactory(action=action, user=campaigner, name="Cam Paigner")
    return factories.LetterFactory(
        action=action, signatory=signatory, state="submitted", subject="Please ratify"
    )


def test_approving_makes_a_letter_ready(coordinator_client, submitted, coordinator):
    response = coordinator_client.post(
        reverse("letters:approve", args=[submitted.action_id, submitted.pk])
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Letter.State.READY and submitted.approved_by == coordinator


def test_approved_after_launch_is_scheduled(coordinator_client, submitted):
    LetterAction.objects.filter(pk=submitted.action_id).update(
        state="scheduled", deliver_on=_next_week()
    )
    factories.ActionTargetFactory(action=submitted.action, person=submitted.target)
    coordinator_client.post(reverse("letters:approve", args=[submitted.action_id, submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.state == Letter.State.SCHEDULED and submitted.due_at is not None


def test_approve_all_waiting(coordinator_client, submitted, coordinator):
    factories.LetterFactory(action=submitted.action, state="submitted")
    elsewhere = factories.LetterFactory(state="submitted")
    coordinator_client.post(reverse("letters:approve_all", args=[submitted.action_id]))
    approved = Letter.objects.filter(action=submitted.action)
    assert set(approved.values_list("state", flat=True)) == {"ready"}
    assert set(approved.values_list("approved_by", flat=True)) == {coordinator.pk}
    elsewhere.refresh_from_db()
    assert elsewhere.state == Letter.State.SUBMITTED


def test_approve_all_after_launch_schedules_them(coordinator_client, submitted):
    LetterAction.objects.filter(pk=submitted.action_id).update(
        state="scheduled", deliver_on=_next_week()
    )
    coordinator_client.post(reverse("letters:approve_all", args=[submitted.action_id]))
    submitted.refresh_from_db()
    assert submitted.state == Letter.State.SCHEDULED


def test_approving_all_takes_the_same_queries_for_few_or_many_letters(
    coordinator_client, submitted
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    LetterAction.objects.filter(pk=submitted.action_id).update(
        state="scheduled", deliver_on=_next_week()
    )
    url = reverse("letters:approve_all", args=[submitted.action_id])

    def queries(count: int) -> int:
        for _ in range(count):
            factories.LetterFactory(action=submitted.action, state="submitted")
        with CaptureQueriesContext(connection) as captured:
            coordinator_client.post(url)
        return len(captured)

    assert queries(2) == queries(12)
    assert set(Letter.objects.values_list("state", flat=True)) == {Letter.State.SCHEDULED}


def test_sending_back_tells_a_user_why(coordinator_client, submitted, campaigner):
    coordinator_client.post(
        reverse("letters:send_back", args=[submitted.action_id, submitted.pk]),
        {"reason": "Please mention the landmine survivors in your constituency."},
    )
    submitted.refresh_from_db()
    assert submitted.state == Letter.State.DRAFT
    assert submitted.review_note == "Please mention the landmine survivors in your constituency."
    notification = Notification.objects.get(recipient=campaigner)
    assert "landmine survivors" in notification.body
    assert notification.url == reverse(
        "letters:write", args=[submitted.action_id, submitted.target_id]
    )
    campaigner.refresh_from_db()
    assert campaigner.unread_notifications == 1

    # The letter's page says what was asked for.
    page = coordinator_client.get(submitted.get_absolute_url()).content.decode()
    assert 'id="changes-asked"' in page and "landmine survivors" in page


def test_sending_back_again_replaces_the_reason(coordinator_client, submitted):
    url = reverse("letters:send_back", args=[submitted.action_id, submitted.pk])
    coordinator_client.post(url, {"reason": "Shorter, please."})
    Letter.objects.filter(pk=submitted.pk).update(state="submitted")
    coordinator_client.post(url, {"reason": "  Name the treaty.  "})
    submitted.refresh_from_db()
    assert submitted.review_note == "Name the treaty."


def test_a_letter_not_sent_back_shows_no_changes_asked(coordinator_client, submitted):
    page = coordinator_client.get(submitted.get_absolute_url()).content.decode()
    assert 'id="changes-asked"' not in page


@pytest.fixture
def supporter_letter(action):
    LetterAction.objects.filter(pk=action.pk).update(requires_approval=True, state="open")
    supporter = factories.SignatoryFactory(action=action, email="amina@example.org", nonce="n1")
    return factories.LetterFactory(action=action, signatory=supporter, state="submitted")


def _send_back(client, letter, reason, capture):
    with capture(execute=True):
        return client.post(
            reverse("letters:send_back", args=[letter.action_id, letter.pk]), {"reason": reason}
        )


def test_sending_back_emails_a_supporter(
    coordinator_client, supporter_letter, smtp_server, django_capture_on_commit_callbacks
):
    letter = supporter_letter
    _send_back(
        coordinator_client,
        letter,
        "Say who you are in the first line.",
        django_capture_on_commit_callbacks,
    )
    letter.refresh_from_db()
    assert letter.state == Letter.State.DRAFT
    assert letter.review_note == "Say who you are in the first line."
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "amina@example.org"
    body = smtp_server.body(message)
    assert "Say who you are in the first line." in body
    # The link is the supporter's own (its token carries the second it was signed).
    token = re.search(rf"/letters/supporter/([^/\s]+)/write/{letter.target_id}/", body).group(1)
    assert Signatory.from_token(token) == letter.signatory


def test_the_email_to_a_supporter_is_a_task_queued_after_the_commit(
    coordinator_client, supporter_letter, django_capture_on_commit_callbacks, monkeypatch
):
    from letters import tasks

    queued = []
    monkeypatch.setattr(tasks.letter_sent_back_email, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks() as callbacks:
        coordinator_client.post(
            reverse("letters:send_back", args=[supporter_letter.action_id, supporter_letter.pk]),
            {"reason": "Shorter, please."},
        )
    assert queued == [] and len(callbacks) == 1
    callbacks[0]()
    assert queued == [(supporter_letter.pk, "Shorter, please.")]


def test_the_email_to_a_supporter_is_tried_again_when_the_mail_server_refuses(
    coordinator_client,
    supporter_letter,
    smtp_server,
    eager_retries,
    django_capture_on_commit_callbacks,
):
    refusals = []
    accept = smtp_server.handle_DATA

    async def refuse_twice(server, session, envelope):
        if len(refusals) < 2:
            refusals.append(envelope)
            return "451 Try again later"
        return await accept(server, session, envelope)

    smtp_server.handle_DATA = refuse_twice
    response = _send_back(
        coordinator_client, supporter_letter, "Name the treaty.", django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert len(refusals) == 2
    [message] = smtp_server.wait_for(1)
    assert "Name the treaty." in smtp_server.body(message)


def test_a_mail_server_that_stays_down_does_not_undo_the_sending_back(
    coordinator_client,
    supporter_letter,
    smtp_server,
    eager_retries,
    django_capture_on_commit_callbacks,
):
    smtp_server.refuse = True
    response = _send_back(
        coordinator_client, supporter_letter, "Name the treaty.", django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    supporter_letter.refresh_from_db()
    assert supporter_letter.state == Letter.State.DRAFT
    assert supporter_letter.review_note == "Name the treaty."
    assert smtp_server.messages == []


def test_no_email_once_the_supporter_has_submitted_again(supporter_letter, smtp_server):
    from letters import tasks

    Letter.objects.filter(pk=supporter_letter.pk).update(state="draft", review_note="")
    tasks.letter_sent_back_email.delay(supporter_letter.pk, "Name the treaty.")
    assert smtp_server.messages == []


def test_the_worker_registers_the_email_to_a_supporter():
    """The worker discovers letters.tasks only: it must bring the task with it."""
    code = (
        "from advocacy.celery import app; app.loader.import_default_modules(); "
        "print('letters.tasks.letter_sent_back_email' in app.tasks)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=worker_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1:] == ["True"], result.stderr


def test_sending_back_needs_a_reason(coordinator_client, submitted):
    response = coordinator_client.post(
        reverse("letters:send_back", args=[submitted.action_id, submitted.pk]), {"reason": " "}
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    submitted.refresh_from_db()
    assert submitted.state == Letter.State.SUBMITTED
    assert submitted.review_note == ""
    assert not Notification.objects.exists()


def test_viewers_cannot_approve(client, viewer, submitted):
    client = _client_for(client, viewer)
    url = reverse("letters:approve", args=[submitted.action_id, submitted.pk])
    assert client.post(url).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == Letter.State.SUBMITTED


def test_the_letters_say_what_their_writers_are(coordinator_client, action, coordinator):
    member = factories.SignatoryFactory(
        action=action, user=coordinator, name="Daniel Okafor", role="campaigner"
    )
    factories.LetterFactory(action=action, signatory=member)
    supporter = factories.SignatoryFactory(action=action, name="Amina Yusuf", role="constituent")
    factories.LetterFactory(action=action, signatory=supporter)

    html = coordinator_client.get(reverse("letters:letters", args=[action.pk])).content.decode()

    assert "from Daniel Okafor (Coordinator)" in html
    assert "(Campaigner)" not in html
    assert "from Amina Yusuf (Constituent)" in html


def test_letters_page_shows_approval_buttons(coordinator_client, submitted):
    response = coordinator_client.get(reverse("letters:letters", args=[submitted.action_id]))
    html = response.content.decode()
    assert reverse("letters:approve", args=[submitted.action_id, submitted.pk]) in html
    assert "Send back" in html and "Cam Paigner" in html
    assert response.context["waiting"] == 1
    assert submitted.get_absolute_url() in html  # the letter's own page


# session, user, menu; the action (joined) and whether the user edits it; the letters by
# state; a page of letters with their targets and signatories (joined) and its count.
LETTERS_QUERIES = 8


def test_letters_page_queries(coordinator_client, action, django_assert_num_queries):
    factories.LetterFactory.create_batch(3, action=action)
    url = reverse("letters:letters", args=[action.pk])
    with django_assert_num_queries(LETTERS_QUERIES):
        coordinator_client.get(url)
    factories.LetterFactory.create_batch(4, action=action, state="submitted")
    with django_assert_num_queries(LETTERS_QUERIES):
        response = coordinator_client.get(url)
    assert len(response.context["page"]) == 7


# The campaign page -------------------------------------------------------------------------


def test_the_campaign_page_lists_its_letter_actions(coordinator_client, action, campaign):
    response = coordinator_client.get(reverse("campaigns:detail", args=[campaign.pk]))
    html = response.content.decode()
    assert action.title in html
    assert f"{reverse('letters:create')}?campaign={campaign.pk}" in html


def test_the_nav_links_to_letters(coordinator_client):
    html = coordinator_client.get(reverse("letters:list")).content.decode()
    assert f'href="{reverse("letters:list")}" aria-current="page"' in html


def test_the_shared_page_rules_live_once_in_the_app_sheet(coordinator_client, campaign):
    css = Path(__file__).resolve().parents[2] / "static" / "css"
    for rule in (".facts {", ".filters {", ".row-section > legend h2 {"):
        assert rule in (css / "app.css").read_text()
        for sheet in ("letters.css", "campaigns.css", "meetings.css"):
            assert rule not in (css / sheet).read_text()
    html = coordinator_client.get(reverse("letters:create")).content.decode()
    assert "css/campaigns.css" not in html
