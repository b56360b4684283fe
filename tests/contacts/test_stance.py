import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.models import AuditEvent, Membership, Visibility
from contacts import charts, services
from contacts.models import STANCE_SCALE, StanceAssessment
from tests import factories

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 6, 1, 12))


def _assessment(stance: str, days_ago: int) -> StanceAssessment:
    return StanceAssessment(stance=stance, assessed_at=NOW - dt.timedelta(days=days_ago))


# The chart


def test_the_chart_steps_through_each_stance_until_now():
    history = [_assessment("opposed", 100), _assessment("supportive", 50)]

    chart = charts.stance_chart(history, NOW)

    opposed, supportive = chart.points
    assert (opposed.x, supportive.x) == (charts.LEFT, charts.LEFT + charts.PLOT_WIDTH / 2)
    assert opposed.y > supportive.y  # favourable is higher up
    # Flat until the change, then up, then flat to the right edge (now).
    right = float(charts.WIDTH - charts.RIGHT)
    assert chart.path == f"M{opposed.x} {opposed.y} H{supportive.x} V{supportive.y} H{right}"
    assert chart.description.startswith("From Opposed on")
    assert "2 assessments" in chart.description


def test_each_level_of_the_scale_has_its_own_height():
    points = charts.stance_chart(
        [_assessment(stance, 10 - n) for n, stance in enumerate(STANCE_SCALE)], NOW
    ).points
    by_stance = {p.stance: p.y for p in points}
    assert by_stance["undecided"] == by_stance["unknown"]
    assert by_stance["champion"] < by_stance["supportive"] < by_stance["undecided"]
    assert by_stance["undecided"] < by_stance["opposed"] < by_stance["hostile"]


def test_one_assessment_draws_a_flat_line_and_says_since_when():
    chart = charts.stance_chart([_assessment("undecided", 0)], NOW)
    assert (
        chart.path
        == f"M{float(charts.LEFT)} {chart.points[0].y} H{charts.WIDTH - charts.RIGHT:.1f}"
    )
    assert chart.description.startswith("Undecided since")
    assert [level.label for level in chart.levels][2] == "Undecided / Unknown"


def test_nothing_to_draw_without_assessments():
    assert charts.stance_chart([], NOW) is None


# Who records in whose name


def test_a_stance_is_recorded_for_the_campaigns_own_organisation(organisation, campaigner):
    campaign = factories.CampaignFactory(organisation=organisation)
    organisations = services.editor_organisations(campaigner)
    assert services.stance_assessor(campaign=campaign, organisations=organisations) == (
        organisation
    )


def test_a_coalition_campaign_is_assessed_by_the_partners_own_organisation(
    organisation, coalition_partner
):
    shared = factories.CampaignFactory(organisation=organisation, visibility=Visibility.COALITION)
    private = factories.CampaignFactory(organisation=organisation)
    partner_org = coalition_partner.memberships.get().organisation
    organisations = services.editor_organisations(coalition_partner)

    assert services.stance_assessor(campaign=shared, organisations=organisations) == partner_org
    assert services.stance_assessor(campaign=private, organisations=organisations) is None


def test_viewers_record_nothing(organisation, viewer):
    campaign = factories.CampaignFactory(organisation=organisation)
    organisations = services.editor_organisations(viewer)
    assert services.stance_assessor(campaign=campaign, organisations=organisations) is None


# Recording from the person's page


def _post(client, person, campaign, stance="supportive", htmx=False, **fields):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("contacts:stance_record", args=[person.pk]),
        {"campaign": campaign.pk, "stance": stance, "visibility": "organisation", **fields},
        headers=headers,
    )


def test_a_plain_post_records_a_stance_and_returns_to_the_page(
    campaigner_client, campaigner, organisation
):
    person = factories.PersonFactory()
    campaign = factories.CampaignFactory(organisation=organisation)

    response = _post(
        campaigner_client,
        person,
        campaign,
        stance="champion",
        influence="4",
        interest="high",
        evidence="statement",
        evidence_url="https://parliament.example.org/hansard/12",
        note="Spoke for the ban in the budget debate.",
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person", args=[person.pk]) + "#stance"
    assessment = StanceAssessment.objects.get()
    assert (assessment.person, assessment.campaign, assessment.stance) == (
        person,
        campaign,
        "champion",
    )
    assert assessment.organisation == organisation and assessment.created_by == campaigner
    assert assessment.visibility == Visibility.ORGANISATION
    assert (assessment.influence, assessment.interest, assessment.evidence) == (
        4,
        "high",
        "statement",
    )
    event = AuditEvent.objects.get(target_id=str(assessment.pk))
    assert event.organisation == organisation and event.detail["stance"] == "champion"


def test_htmx_swaps_the_stance_section_with_the_new_chart(campaigner_client, organisation):
    person = factories.PersonFactory()
    campaign = factories.CampaignFactory(organisation=organisation)
    factories.StanceAssessmentFactory(
        person=person,
        campaign=campaign,
        stance="opposed",
        assessed_at=timezone.now() - dt.timedelta(days=30),
    )

    response = _post(campaigner_client, person, campaign, stance="supportive", htmx=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="stance"')
    assert "<html" not in html
    assert html.count('<circle class="chart-point') == 2
    assert 'class="stance-badge stance-supportive"' in html
    # The timeline comes along out of band.
    assert 'id="timeline"' in html and 'hx-swap-oob="true"' in html
    assert StanceAssessment.objects.filter(person=person).count() == 2


def test_a_coalition_partner_records_in_their_own_organisations_name(
    client, coalition_partner, organisation
):
    person = factories.PersonFactory()
    campaign = factories.CampaignFactory(organisation=organisation, visibility="coalition")
    client.force_login(coalition_partner)

    assert _post(client, person, campaign).status_code == 302

    assessment = StanceAssessment.objects.get()
    assert assessment.organisation == coalition_partner.memberships.get().organisation


def test_a_bad_evidence_link_is_shown_in_the_form_and_nothing_is_saved(
    campaigner_client, organisation
):
    person = factories.PersonFactory()
    campaign = factories.CampaignFactory(organisation=organisation)

    htmx = _post(campaigner_client, person, campaign, htmx=True, evidence_url="not a link")
    plain = _post(campaigner_client, person, campaign, evidence_url="not a link")

    assert htmx.status_code == 200 and "Enter a valid URL." in htmx.content.decode()
    assert '<details class="stance-record" open>' in htmx.content.decode()
    assert plain.status_code == 400 and "Enter a valid URL." in plain.content.decode()
    assert not StanceAssessment.objects.exists()


def test_an_unknown_stance_is_refused(campaigner_client, organisation):
    person = factories.PersonFactory()
    campaign = factories.CampaignFactory(organisation=organisation)
    response = _post(campaigner_client, person, campaign, stance="ecstatic")
    assert response.status_code == 400
    assert not StanceAssessment.objects.exists()


def test_a_viewer_may_not_record_a_stance(client, viewer, organisation):
    person = factories.PersonFactory()
    campaign = factories.CampaignFactory(organisation=organisation)
    client.force_login(viewer)
    assert _post(client, person, campaign).status_code == 403
    assert not StanceAssessment.objects.exists()


def test_a_campaign_the_user_cannot_see_is_not_found(campaigner_client, outsider):
    person = factories.PersonFactory()
    campaign = factories.CampaignFactory(organisation=outsider.memberships.get().organisation)
    assert _post(campaigner_client, person, campaign).status_code == 404
    assert not StanceAssessment.objects.exists()


def test_it_rejects_get(campaigner_client):
    person = factories.PersonFactory()
    response = campaigner_client.get(reverse("contacts:stance_record", args=[person.pk]))
    assert response.status_code == 405


def test_the_page_offers_a_form_only_where_the_user_may_record(
    client, organisation, coalition_partner
):
    person = factories.PersonFactory()
    shared = factories.CampaignFactory(organisation=organisation, visibility="coalition")
    partner_org = coalition_partner.memberships.get().organisation
    factories.MembershipFactory(
        user=coalition_partner,
        organisation=factories.OrganisationFactory(),
        role=Membership.Role.VIEWER,
    )
    own_but_viewing = factories.CampaignFactory(
        organisation=coalition_partner.memberships.get(role="viewer").organisation
    )
    factories.StanceAssessmentFactory(person=person, campaign=own_but_viewing)
    client.force_login(coalition_partner)

    html = client.get(reverse("contacts:person", args=[person.pk])).content.decode()

    shared_part = html.split(f'id="stance-campaign-{shared.pk}"')[1].split("</article>")[0]
    viewing_part = html.split(f'id="stance-campaign-{own_but_viewing.pk}"')[1].split("</article>")[
        0
    ]
    assert "Record a stance" in shared_part and partner_org.name in shared_part
    assert "Record a stance" not in viewing_part and "Undecided" in viewing_part
