"""The directory page: search, filters, sorting, paging, htmx fragments, stance visibility
and a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.models import Visibility
from contacts import filters
from contacts.models import Person, StanceAssessment
from contacts.search import person_refresh_search
from tests.contacts.directory_world import build_world
from tests.factories import (
    CampaignFactory,
    ContactPointFactory,
    CountryFactory,
    InstitutionFactory,
    PartyFactory,
    PersonFactory,
    PositionFactory,
    StanceAssessmentFactory,
)

URL = reverse("contacts:directory")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(db):
    return build_world()


def names(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.context["page"]
    assert page is not None, response.context["form"].errors
    return [row.person.name for row in page.rows]


def get(client, **params):
    return client.get(URL, params)


# Search


def test_search_without_accents_finds_accented_names(campaigner_client, world):
    assert names(get(campaigner_client, q="desire")) == ["Désiré Kamau"]


def test_search_with_accents_finds_the_same_person(campaigner_client, world):
    assert names(get(campaigner_client, q="DÉSIRÉ kam")) == ["Désiré Kamau"]


def test_search_with_accents_finds_names_typed_without(campaigner_client, world):
    assert names(get(campaigner_client, q="Ámina")) == ["Amina Odhiambo"]


def test_search_matches_word_prefixes_in_any_order(campaigner_client, world):
    assert names(get(campaigner_client, q="odhi am")) == ["Amina Odhiambo"]


def test_search_finds_other_names_in_another_script(campaigner_client, world):
    assert names(get(campaigner_client, q="أحمد")) == ["Ahmed Hassan"]


def test_search_finds_roles_and_institutions(campaigner_client, world):
    assert names(get(campaigner_client, q="disarmament")) == ["Ahmed Hassan"]
    assert names(get(campaigner_client, q="desk officer")) == ["Ahmed Hassan"]
    assert names(get(campaigner_client, q="jubilee")) == ["Désiré Kamau"]


def test_search_with_no_match_says_so(campaigner_client, world):
    response = get(campaigner_client, q="nobody-called-this")
    assert names(response) == []
    assert "Nobody matches these filters." in response.content.decode()


# Filters


def test_default_list_shows_current_office_holders_in_name_order(campaigner_client, world):
    assert names(get(campaigner_client)) == [
        "Ahmed Hassan",
        "Désiré Kamau",
        "Amina Odhiambo",
        "Grace Okello",
    ]


def test_people_with_no_position_yet_are_listed(campaigner_client, world):
    newcomer = PersonFactory(name="Bea Newcomer", sort_name="Newcomer, Bea")
    assert newcomer.name in names(get(campaigner_client))


def test_past_positions_appear_when_asked(campaigner_client, world):
    assert "Zachary Old" not in names(get(campaigner_client))
    assert "Zachary Old" in names(get(campaigner_client, current="no"))
    assert "until 2017" in get(campaigner_client, current="no", q="zachary").content.decode()


def test_filter_by_country(campaigner_client, world):
    assert names(get(campaigner_client, country="UG")) == ["Grace Okello"]


def test_country_code_in_lower_case_works(campaigner_client, world):
    assert names(get(campaigner_client, country="ug")) == ["Grace Okello"]


def test_filter_by_institution_kind(campaigner_client, world):
    assert names(get(campaigner_client, kind="department")) == ["Ahmed Hassan"]


def test_filter_by_institution_includes_its_departments(campaigner_client, world):
    ministry = world.ministry.pk
    assert names(get(campaigner_client, institution=ministry)) == ["Ahmed Hassan"]


def test_filter_by_party(campaigner_client, world):
    assert names(get(campaigner_client, party=world.opposition.pk)) == ["Amina Odhiambo"]
    past = get(campaigner_client, party=world.opposition.pk, current="no")
    assert names(past) == ["Amina Odhiambo", "Zachary Old"]


def test_filter_by_committee(campaigner_client, world):
    assert names(get(campaigner_client, committee=world.committee.pk)) == ["Désiré Kamau"]


def test_filter_by_role(campaigner_client, world):
    assert names(get(campaigner_client, role="desk")) == ["Ahmed Hassan"]
    assert names(get(campaigner_client, role="mp", country="KE")) == [
        "Désiré Kamau",
        "Amina Odhiambo",
    ]


def test_filter_by_governing_party(campaigner_client, world):
    assert names(get(campaigner_client, governing="yes")) == ["Désiré Kamau"]
    assert names(get(campaigner_client, governing="no")) == ["Amina Odhiambo"]


def test_position_filters_describe_one_position(campaigner_client, world):
    # Désiré is an MP and sits on a committee, but the committee is not his party's seat.
    assert names(get(campaigner_client, party=world.governing.pk, kind="committee")) == []


def test_filter_by_tag(campaigner_client, world):
    tag = world.amina.tags.create(name="Victim assistance", slug="victim-assistance")
    assert names(get(campaigner_client, tag=tag.slug)) == ["Amina Odhiambo"]


def test_filters_combine_with_search(campaigner_client, world):
    assert names(get(campaigner_client, q="kam", country="KE", governing="yes")) == ["Désiré Kamau"]
    assert names(get(campaigner_client, q="kam", country="UG")) == []


# Stance


@pytest.fixture
def campaign(organisation, campaigner):
    return CampaignFactory(organisation=organisation, created_by=campaigner)


def assess(campaign, person, stance, *, by, days_ago=0, **extra):
    return StanceAssessmentFactory(
        campaign=campaign,
        person=person,
        stance=stance,
        created_by=by,
        assessed_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC) - dt.timedelta(days=days_ago),
        **extra,
    )


def test_filter_by_current_stance_in_a_campaign(campaigner_client, world, campaign, campaigner):
    assess(campaign, world.desire, "opposed", by=campaigner, days_ago=30)
    assess(campaign, world.desire, "supportive", by=campaigner)
    assess(campaign, world.amina, "opposed", by=campaigner)
    params = {"campaign": campaign.pk}
    assert names(get(campaigner_client, stance="supportive", **params)) == ["Désiré Kamau"]
    # Désiré's earlier "opposed" is history, not his stance now.
    assert names(get(campaigner_client, stance="opposed", **params)) == ["Amina Odhiambo"]


def test_unknown_stance_includes_people_nobody_assessed(
    campaigner_client, world, campaign, campaigner
):
    assess(campaign, world.desire, "supportive", by=campaigner)
    assess(campaign, world.amina, "unknown", by=campaigner)
    response = get(campaigner_client, campaign=campaign.pk, stance="unknown")
    assert names(response) == ["Ahmed Hassan", "Amina Odhiambo", "Grace Okello"]


def test_rows_show_the_current_stance_when_a_campaign_is_chosen(
    campaigner_client, world, campaign, campaigner
):
    assess(campaign, world.desire, "champion", by=campaigner)
    response = get(campaigner_client, campaign=campaign.pk, q="kamau")
    html = response.content.decode()
    assert '<span class="badge stance-champion">Champion</span>' in html
    rows = response.context["page"].rows
    assert rows[0].stance == "champion"


def test_stances_of_other_organisations_stay_hidden(
    campaigner_client, world, campaign, campaigner, outsider
):
    # An outsider's organisation assessed Amina in a campaign the campaigner can see? No:
    # the campaign is ours, but the outsider's assessment is theirs and stays private to them.
    assess(campaign, world.desire, "supportive", by=campaigner)
    hidden = assess(campaign, world.amina, "hostile", by=outsider)
    hidden.organisation = outsider.memberships.get().organisation
    hidden.save()
    params = {"campaign": campaign.pk}
    assert names(get(campaigner_client, stance="hostile", **params)) == []
    assert "Amina Odhiambo" in names(get(campaigner_client, stance="unknown", **params))
    rows = get(campaigner_client, q="amina", **params).context["page"].rows
    assert rows[0].stance is None


def test_private_stance_is_seen_by_its_author_only(
    client, world, campaign, campaigner, coordinator
):
    assess(campaign, world.desire, "opposed", by=campaigner)
    assess(campaign, world.desire, "champion", by=coordinator, visibility=Visibility.PRIVATE)
    params = {"campaign": campaign.pk, "q": "kamau"}
    client.force_login(campaigner)
    assert get(client, **params).context["page"].rows[0].stance == "opposed"
    client.force_login(coordinator)
    assert get(client, **params).context["page"].rows[0].stance == "champion"


def test_coalition_partners_see_stances_shared_with_the_coalition(
    client, world, organisation, campaigner, coalition_partner
):
    shared = CampaignFactory(
        organisation=organisation, created_by=campaigner, visibility=Visibility.COALITION
    )
    assess(shared, world.amina, "undecided", by=campaigner, visibility=Visibility.COALITION)
    client.force_login(coalition_partner)
    response = get(client, campaign=shared.pk, stance="undecided")
    assert names(response) == ["Amina Odhiambo"]


def test_row_stances_are_the_current_stances_the_user_may_see(
    client, world, campaign, campaigner, coordinator, coalition_partner
):
    """The list works out current stances itself, for speed; it must agree with
    StanceAssessment.objects.current_for, the one definition."""
    campaign.visibility = Visibility.COALITION
    campaign.save()
    partner_org = coalition_partner.memberships.get().organisation
    # Newest first: each person's newest assessment is hidden from someone.
    for days_ago, (person, stance, author, visibility) in enumerate(
        [
            (world.desire, "champion", coordinator, Visibility.PRIVATE),
            (world.amina, "hostile", coalition_partner, Visibility.ORGANISATION),
            (world.ahmed, "undecided", campaigner, Visibility.PRIVATE),
            (world.desire, "opposed", campaigner, Visibility.ORGANISATION),
            (world.amina, "supportive", coalition_partner, Visibility.COALITION),
        ]
    ):
        assessment = assess(campaign, person, stance, by=author, days_ago=days_ago)
        assessment.visibility = visibility
        if author == coalition_partner:
            assessment.organisation = partner_org
        assessment.save()
    people = {"Désiré": world.desire, "Amina": world.amina, "Ahmed": world.ahmed}
    seen_by = {
        campaigner: {"Désiré": "opposed", "Amina": "supportive", "Ahmed": "undecided"},
        coordinator: {"Désiré": "champion", "Amina": "supportive", "Ahmed": None},
        coalition_partner: {"Désiré": None, "Amina": "hostile", "Ahmed": None},
    }
    for user, expected in seen_by.items():
        client.force_login(user)
        rows = get(client, campaign=campaign.pk).context["page"].rows
        shown = {row.person.pk: row.stance for row in rows}
        current = StanceAssessment.objects.current_for(user).filter(campaign=campaign)
        defined = {assessment.person_id: assessment.stance for assessment in current}
        for name, person in people.items():
            assert shown[person.pk] == defined.get(person.pk) == expected[name], (user, name)


def test_a_campaign_the_user_cannot_see_is_refused(outsider_client, world, campaign):
    response = get(outsider_client, campaign=campaign.pk)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "campaign" in response.context["form"].errors


# Sorting


def test_sort_by_name_ignores_case_and_accents(campaigner_client, world):
    PersonFactory(name="Éva Abara", sort_name="Abara, Éva")
    PersonFactory(name="Ivo de Boer", sort_name="de Boer, Ivo")
    listed = names(get(campaigner_client))
    assert listed[:2] == ["Éva Abara", "Ivo de Boer"]


def test_blank_sort_name_files_under_the_full_name(campaigner_client, world):
    PersonFactory(name="Wanjiru Baraka", sort_name="")
    assert names(get(campaigner_client))[-1] == "Wanjiru Baraka"


def test_sort_by_name_descending(campaigner_client, world):
    assert names(get(campaigner_client, sort="-name")) == [
        "Grace Okello",
        "Amina Odhiambo",
        "Désiré Kamau",
        "Ahmed Hassan",
    ]


def test_sort_by_country_then_name(campaigner_client, world):
    assert names(get(campaigner_client, sort="country")) == [
        "Ahmed Hassan",
        "Désiré Kamau",
        "Amina Odhiambo",
        "Grace Okello",
    ]


def test_sort_by_recently_updated(campaigner_client, world):
    world.ahmed.save()
    world.okello.save()
    assert names(get(campaigner_client, sort="updated"))[:2] == ["Grace Okello", "Ahmed Hassan"]


# Paging


def add_people(count: int, institution, party=None, area=None) -> list[Person]:
    people = [
        PersonFactory(name=f"Member {n:03d}", sort_name=f"Member {n:03d}") for n in range(count)
    ]
    for person in people:
        PositionFactory(person=person, institution=institution, role="MP", party=party, area=area)
    return people


def test_pages_hold_a_page_size_and_link_the_next_without_counting(
    campaigner_client, world, monkeypatch
):
    monkeypatch.setattr(filters, "PAGE_SIZE", 10)
    monkeypatch.setattr("contacts.views.directory.PAGE_SIZE", 10)
    add_people(12, world.parliament)  # 16 current people in all
    with CaptureQueriesContext(connection) as queries:
        first = get(campaigner_client)
    assert len(names(first)) == 10
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    html = first.content.decode()
    assert 'rel="next"' in html and 'rel="prev"' not in html
    second = get(campaigner_client, page=2)
    assert len(names(second)) == 6
    assert set(names(first)).isdisjoint(names(second))
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in second.content.decode()


def test_paging_links_keep_the_filters(campaigner_client, world, monkeypatch):
    monkeypatch.setattr("contacts.views.directory.PAGE_SIZE", 2)
    html = get(campaigner_client, country="KE", sort="-name").content.decode()
    assert 'href="/directory/?country=KE&amp;sort=-name&amp;page=2"' in html


# Bad query strings


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "ZZ"}, "country"),
        ({"kind": "castle"}, "kind"),
        ({"institution": "abc"}, "institution"),
        ({"institution": "99999999999999999999999"}, "institution"),
        ({"party": "-1"}, "party"),
        ({"committee": "1e9"}, "committee"),
        ({"governing": "maybe"}, "governing"),
        ({"current": "sometimes"}, "current"),
        ({"campaign": "999999"}, "campaign"),
        ({"stance": "supportive"}, "stance"),
        ({"stance": "ecstatic"}, "stance"),
        ({"tag": "no-such-tag"}, "tag"),
        ({"sort": "shoe-size"}, "sort"),
        ({"page": "two"}, "page"),
        ({"page": "0"}, "page"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_values_get_a_clear_message(campaigner_client, world, params, field):
    response = get(campaigner_client, **params)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert f'href="#id_{field}"' in html


def test_a_filter_from_another_country_is_kept_in_its_list(campaigner_client, world):
    response = get(campaigner_client, country="UG", party=world.governing.pk)
    assert names(response) == []
    html = response.content.decode()
    assert f'<option value="{world.governing.pk}" selected>Jubilee Party</option>' in html


# htmx


def test_htmx_request_gets_only_the_results(campaigner_client, world):
    response = campaigner_client.get(URL, {"q": "amina"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="directory-results"')
    assert "<form" not in html and "<html" not in html
    assert "Amina Odhiambo" in html and "Désiré Kamau" not in html
    assert 'hx-swap-oob="innerHTML"' in html  # the status line screen readers hear
    assert "HX-Request" in response["Vary"]


def test_htmx_request_puts_the_short_form_of_the_filters_in_the_address_bar(
    campaigner_client, world
):
    # What the form sends: every field, most of them empty.
    sent = dict.fromkeys(filters.DirectoryFilterForm.base_fields, "")
    sent.update(q="amina kam", country="KE", current="yes", sort="name")
    response = campaigner_client.get(URL, sent, **HTMX)
    assert response["HX-Push-Url"] == "/directory/?q=amina+kam&country=KE"


def test_htmx_request_with_bad_values_shows_the_message_in_the_results(campaigner_client, world):
    html = campaigner_client.get(URL, {"page": "x"}, **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="directory-results"')
    assert 'role="alert"' in html


def test_changing_country_redraws_its_institutions(campaigner_client, world):
    headers = {**HTMX, "HTTP_HX_TARGET": "directory-scoped-filters"}
    html = campaigner_client.get(URL, {"country": "UG"}, **headers).content.decode()
    assert html.lstrip().startswith('<div id="directory-scoped-filters"')
    assert "Parliament of Uganda" in html
    assert "National Assembly" not in html and "Jubilee Party" not in html


def test_back_button_gets_the_whole_page(campaigner_client, world):
    headers = {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    html = campaigner_client.get(URL, {"q": "amina"}, **headers).content.decode()
    assert "<html" in html and 'id="directory-filters"' in html


def test_full_page_is_a_plain_get_form(campaigner_client, world):
    html = get(campaigner_client, q="amina", country="KE").content.decode()
    assert f'<form method="get" action="{URL}" role="search"' in html
    assert 'value="amina"' in html
    assert '<option value="KE" selected>' in html


def test_export_links_carry_the_filters(campaigner_client, world):
    html = get(campaigner_client, country="KE", page="1").content.decode()
    assert 'href="/directory/export.csv?country=KE"' in html
    assert 'href="/directory/export.vcf?country=KE"' in html


def test_directory_needs_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Query counts


def populate(count: int, campaign, campaigner, tag):
    """People with two positions (party, area), an email, a phone and a stance history."""
    parliament = InstitutionFactory(kind="parliament")
    committee = InstitutionFactory(kind="committee", parent=parliament)
    party = PartyFactory(is_governing=True)
    people = add_people(count, parliament, party=party)
    for person in people:
        PositionFactory(person=person, institution=committee, role="Member")
        ContactPointFactory(person=person, kind="email")
        ContactPointFactory(person=person, kind="phone", value="+254 700 000000")
        assess(campaign, person, "undecided", by=campaigner, days_ago=10)
        assess(campaign, person, "supportive", by=campaigner)
        person.tags.add(tag)
    person_refresh_search([person.pk for person in people])
    return party


# The page with no filters: session, user, the people of the page, their positions with
# institution, country, party and area (one prefetch, joined), and to draw the form: the
# countries, the campaigns the user can see, the tags, the institutions for the lists;
# then the menu's memberships.
PAGE_QUERIES = 9
# With search, country, party, tag and a campaign's stance: as above, plus one check each
# for the country, the party, the tag and the campaign named in the query string (each
# person's current stance comes with the people, as a subquery).
FILTERED_PAGE_QUERIES = PAGE_QUERIES + 4
# The htmx fragment with the same filters: no form to draw, so no lists and no menu.
FILTERED_FRAGMENT_QUERIES = FILTERED_PAGE_QUERIES - 5


@pytest.mark.parametrize("count", [3, 30])
def test_page_queries_do_not_grow(
    campaigner_client, campaign, campaigner, django_assert_num_queries, count, db
):
    tag = PersonFactory().tags.create(name="Health", slug="health")
    populate(count, campaign, campaigner, tag)
    with django_assert_num_queries(PAGE_QUERIES):
        response = get(campaigner_client)
    assert len(response.context["page"].rows) == count + 1


@pytest.mark.parametrize("count", [3, 30])
def test_filtered_page_queries_do_not_grow(
    campaigner_client, campaign, campaigner, django_assert_num_queries, count, db
):
    tag = PersonFactory().tags.create(name="Health", slug="health")
    party = populate(count, campaign, campaigner, tag)
    params = {
        "q": "member",
        "country": "KE",
        "party": party.pk,
        "tag": "health",
        "campaign": campaign.pk,
        "stance": "supportive",
    }
    with django_assert_num_queries(FILTERED_PAGE_QUERIES):
        response = get(campaigner_client, **params)
    rows = response.context["page"].rows
    assert len(rows) == count
    assert {row.stance for row in rows} == {"supportive"}
    with django_assert_num_queries(FILTERED_FRAGMENT_QUERIES):
        response = campaigner_client.get(URL, params, **HTMX)
    assert response.content.decode().count('class="directory-row"') == count


def test_more_filters_start_open_only_when_one_is_set(campaigner_client, world):
    # A plain submit sends every field, the defaults included.
    submitted = get(campaigner_client, q="kam", country="", current="yes", sort="name")
    assert '<details class="directory-more">' in submitted.content.decode()
    filtered = get(campaigner_client, country="KE")
    assert '<details class="directory-more" open>' in filtered.content.decode()


def test_institutions_of_the_same_name_say_their_country(campaigner_client, db):
    kenya = CountryFactory(code="KE", name="Kenya")
    uganda = CountryFactory(code="UG", name="Uganda")
    for country in (kenya, uganda):
        InstitutionFactory(name="Foreign Affairs Committee", kind="committee", country=country)
    InstitutionFactory(name="Defence Committee", kind="committee", country=kenya)

    html = get(campaigner_client).content.decode()

    assert ">Foreign Affairs Committee (Kenya)</option>" in html
    assert ">Foreign Affairs Committee (Uganda)</option>" in html
    assert ">Defence Committee</option>" in html
    # Once a country is chosen, names are its own and stay as they are.
    html = get(campaigner_client, country="KE").content.decode()
    assert ">Foreign Affairs Committee</option>" in html
