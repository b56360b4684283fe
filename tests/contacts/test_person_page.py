import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Visibility
from contacts import services
from contacts.models import ContactPoint, DatePrecision, Identifier, Link, OtherName, Tag
from tests import factories

pytestmark = pytest.mark.django_db


def _url(person) -> str:
    return reverse("contacts:person", args=[person.pk])


def test_it_requires_sign_in(client):
    person = factories.PersonFactory()
    response = client.get(_url(person))
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_it_returns_404_for_someone_unknown(campaigner_client):
    assert campaigner_client.get(reverse("contacts:person", args=[999999])).status_code == 404


def test_it_shows_current_and_past_positions_with_their_precision(campaigner_client):
    person = factories.PersonFactory(name="Aline Kaneza")
    party = factories.PartyFactory(name="Unity Party", is_governing=True)
    area = factories.AreaFactory(name="Gitega")
    factories.PositionFactory(
        person=person,
        role="MP",
        post_label="Member for Gitega",
        institution__name="National Assembly",
        party=party,
        area=area,
        start_date=dt.date(2020, 5, 1),
        start_precision=DatePrecision.MONTH,
    )
    factories.PositionFactory(
        person=person,
        role="mayor",
        institution__name="Gitega Town Council",
        start_date=dt.date(2010, 1, 1),
        start_precision=DatePrecision.YEAR,
        end_date=dt.date(2015, 12, 31),
        end_precision=DatePrecision.YEAR,
    )

    html = campaigner_client.get(_url(person)).content.decode()

    current, past = html.split("past position")
    assert "Member for Gitega" in current and "since May 2020" in current
    assert "Unity Party" in current and "governing" in current
    assert reverse("contacts:area", args=[area.pk]) in current
    assert "Gitega Town Council" in past and "2010 – 2015" in past


def test_it_marks_expired_contact_points_and_shows_office_hours(campaigner_client):
    person = factories.PersonFactory()
    today = timezone.localdate()
    ContactPoint.objects.create(
        person=person,
        kind=ContactPoint.Kind.CONSTITUENCY_OFFICE,
        value="12 Market Street",
        hours="Fri 9:00-13:00",
    )
    ContactPoint.objects.create(
        person=person,
        kind=ContactPoint.Kind.EMAIL,
        value="old@parliament.example.org",
        valid_until=today - dt.timedelta(days=3),
    )
    ContactPoint.objects.create(
        person=person, kind=ContactPoint.Kind.PHONE, value="+257 22 20 11 11"
    )

    html = campaigner_client.get(_url(person)).content.decode()

    assert "Fri 9:00-13:00" in html
    expired = html.split("old@parliament.example.org</a>")[1].split("</li>")[0]
    assert "expired" in expired
    assert 'href="tel:+25722201111"' in html
    assert html.count(">expired<") == 1


def test_other_names_carry_their_language_and_direction(campaigner_client):
    person = factories.PersonFactory(name="Samir Khalil")
    OtherName.objects.create(person=person, name="سمير خليل", language="ar")
    OtherName.objects.create(person=person, name="Samir Khalil", language="fr")
    OtherName.objects.create(person=person, name="Sameer Kalil")

    html = campaigner_client.get(_url(person)).content.decode()

    assert '<bdi lang="ar" dir="rtl">سمير خليل</bdi>' in html
    assert '<bdi lang="fr" dir="auto">Samir Khalil</bdi>' in html
    assert '<bdi dir="auto">Sameer Kalil</bdi>' in html


def test_it_shows_aides_and_whose_aide_someone_is(campaigner_client):
    mp = factories.PersonFactory(name="Grace Akinyi")
    aide = factories.PersonFactory(name="Tom Otieno")
    factories.PositionFactory(person=aide, role="aide", to_person=mp)

    mp_page = campaigner_client.get(_url(mp)).content.decode()
    aide_page = campaigner_client.get(_url(aide)).content.decode()

    assert "Tom Otieno" in mp_page.split('id="aides-heading"')[1]
    assert "Aide to" in aide_page and "Grace Akinyi" in aide_page.split('id="aides-heading"')[1]


def test_it_shows_tags_identifiers_and_links(campaigner_client):
    person = factories.PersonFactory()
    person.tags.add(Tag.objects.create(name="tourism", slug="tourism"))
    Identifier.objects.create(person=person, scheme="wikidata", value="Q42")
    Link.objects.create(person=person, url="https://parliament.example.org/mp/1", note="Profile")

    html = campaigner_client.get(_url(person)).content.decode()

    assert "tourism" in html
    assert "wikidata" in html and "Q42" in html
    assert 'href="https://parliament.example.org/mp/1"' in html


def test_it_shows_only_the_stances_the_user_may_see(
    campaigner_client, campaigner, organisation, outsider
):
    person = factories.PersonFactory()
    ours = factories.CampaignFactory(organisation=organisation, name="Our campaign")
    theirs = factories.CampaignFactory(
        organisation=outsider.memberships.get().organisation, name="Their campaign"
    )
    factories.StanceAssessmentFactory(person=person, campaign=ours, stance="supportive")
    factories.StanceAssessmentFactory(person=person, campaign=theirs, stance="hostile")
    # Someone else's private note in our own campaign stays theirs.
    factories.StanceAssessmentFactory(
        person=person,
        campaign=ours,
        stance="opposed",
        visibility=Visibility.PRIVATE,
        created_by=factories.UserFactory(),
    )

    html = campaigner_client.get(_url(person)).content.decode()

    stance = html.split('id="stance"')[1].split("</section>")[0]
    assert "Our campaign" in stance and "Supportive" in stance
    assert "Their campaign" not in html
    assert 'class="stance-badge stance-opposed"' not in stance
    assert "Hostile</span>" not in stance


def test_the_stance_chart_has_a_text_alternative(campaigner_client, organisation):
    person = factories.PersonFactory()
    campaign = factories.CampaignFactory(organisation=organisation)
    now = timezone.now()
    for days, stance in [(200, "opposed"), (90, "undecided"), (10, "supportive")]:
        factories.StanceAssessmentFactory(
            person=person,
            campaign=campaign,
            stance=stance,
            assessed_at=now - dt.timedelta(days=days),
        )

    html = campaigner_client.get(_url(person)).content.decode()

    chart = html.split('<svg class="stance-chart"')[1].split("</svg>")[0]
    assert f'aria-labelledby="stance-chart-{campaign.pk}-title"' in chart
    assert f'aria-describedby="stance-chart-{campaign.pk}-desc"' in chart
    assert "<title" in chart and "From Opposed on" in chart and "to Supportive on" in chart
    assert chart.count('<circle class="chart-point') == 3
    table = html.split("History as a table")[1].split("</table>")[0]
    assert table.index("Supportive") < table.index("Undecided") < table.index("Opposed")


def test_the_timeline_lists_positions_and_assessments_newest_first(campaigner_client, organisation):
    person = factories.PersonFactory()
    factories.PositionFactory(
        person=person,
        role="minister",
        institution__name="Ministry of Health",
        start_date=dt.date(2015, 3, 1),
        end_date=dt.date(2019, 6, 30),
    )
    campaign = factories.CampaignFactory(organisation=organisation, name="Ratify now")
    factories.StanceAssessmentFactory(person=person, campaign=campaign, stance="champion")

    html = campaigner_client.get(_url(person)).content.decode()

    timeline = html.split('id="timeline"')[1]
    stance = timeline.index("Ratify now: Champion")
    left = timeline.index("Left minister, Ministry of Health")
    became = timeline.index("Became minister, Ministry of Health")
    assert stance < left < became


def test_timeline_merges_sources_newest_first():
    earlier = services.TimelineEntry(when=dt.date(2020, 1, 1), kind="a", title="earlier")
    later = services.TimelineEntry(
        when=timezone.make_aware(dt.datetime(2021, 6, 1, 12)), kind="b", title="later"
    )
    year = services.TimelineEntry(
        when=dt.date(2020, 12, 31), kind="c", title="that year", precision=DatePrecision.YEAR
    )

    entries = services.timeline([earlier], [later, year])

    assert [e.title for e in entries] == ["later", "that year", "earlier"]
    assert entries[1].when_label == "2020"


def test_viewers_see_no_edit_links(client, viewer):
    person = factories.PersonFactory()
    client.force_login(viewer)
    html = client.get(_url(person)).content.decode()
    assert reverse("contacts:person_update", args=[person.pk]) not in html
    assert reverse("contacts:position_create", args=[person.pk]) not in html
    assert "Record a stance" not in html


def _person_with(size: int, organisation, user) -> object:
    """A person with `size` of everything the page lists."""
    person = factories.PersonFactory()
    today = timezone.localdate()
    for n in range(size):
        factories.PositionFactory(person=person, party=factories.PartyFactory())
        factories.PositionFactory(
            person=person,
            start_date=today - dt.timedelta(days=900 + n),
            end_date=today - dt.timedelta(days=400),
        )
        factories.ContactPointFactory(person=person)
        OtherName.objects.create(person=person, name=f"Other {n}", language="fr")
        Identifier.objects.create(person=person, scheme=f"scheme{n}", value=f"v{person.pk}-{n}")
        Link.objects.create(person=person, url=f"https://example.org/{n}")
        person.tags.add(Tag.objects.create(name=f"tag {n}", slug=f"tag-{person.pk}-{n}"))
        factories.PositionFactory(role="aide", to_person=person)
    for _ in range(2):
        campaign = factories.CampaignFactory(organisation=organisation, created_by=user)
        for n in range(size):
            factories.StanceAssessmentFactory(
                person=person,
                campaign=campaign,
                assessed_at=timezone.now() - dt.timedelta(days=n),
            )
    return person


@pytest.mark.parametrize("size", [1, 4, 12])
def test_queries_do_not_grow_with_the_record(
    size, campaigner_client, campaigner, organisation, django_assert_num_queries
):
    person = _person_with(size, organisation, campaigner)
    # session, user, person, its tags, other names, identifiers and links (prefetched),
    # positions (institution, party, area, post, aide-to joined), aides (person and
    # institution joined), the user's editor organisations, visible campaigns, visible
    # assessments, contact points, visible meetings with them and letters to them (for the
    # timeline), the menu's memberships
    with django_assert_num_queries(16):
        response = campaigner_client.get(_url(person))
    assert response.status_code == 200
    assert response.content.decode().count('<circle class="chart-point') == 2 * size
