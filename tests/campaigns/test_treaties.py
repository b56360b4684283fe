"""Treaties: the world table, sorting it, a country's status with its history, and the
country page's treaty section."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from campaigns import services
from campaigns.models import TreatyStatus, TreatyStatusChange
from contacts.models import Country, DatePrecision
from tests.factories import CountryFactory, TreatyFactory

Status = TreatyStatus.Status


@pytest.fixture
def treaty(db):
    return TreatyFactory(code="ccm", name="Convention on Cluster Munitions")


def status(treaty, code: str, name: str, value: str, **fields) -> TreatyStatus:
    return TreatyStatus.objects.create(
        treaty=treaty, country=CountryFactory(code=code, name=name), status=value, **fields
    )


@pytest.fixture
def world(treaty):
    """Five countries in five situations."""
    return {
        "CH": status(
            treaty, "CH", "Switzerland", Status.STATE_PARTY, consent_on=dt.date(2012, 7, 17)
        ),
        "BI": status(treaty, "BI", "Burundi", Status.SIGNATORY, signed_on=dt.date(2008, 12, 3)),
        "GB": status(
            treaty, "GB", "United Kingdom", Status.STATE_PARTY, consent_on=dt.date(2010, 5, 4)
        ),
        "VN": status(treaty, "VN", "Viet Nam", Status.NOT_SIGNED, stage=TreatyStatus.Stage.DESK),
        "CI": status(
            treaty,
            "CI",
            "Côte d'Ivoire",
            Status.STATE_PARTY,
            consent_on=dt.date(2012, 1, 1),
            consent_precision=DatePrecision.YEAR,
        ),
    }


def url(treaty) -> str:
    return reverse("campaigns:treaty", args=[treaty.code])


def order(response) -> list[str]:
    return [s.country_id for s in response.context["statuses"]]


def test_the_treaty_page_shows_every_country_and_a_world_summary(campaigner_client, treaty, world):
    response = campaigner_client.get(url(treaty))

    content = response.content.decode()
    counts = {row["value"]: row["count"] for row in response.context["summary"]}
    assert counts == {
        "not_signed": 1,
        "signatory": 1,
        "ratified": 0,
        "acceded": 0,
        "state_party": 3,
        "withdrawn": 0,
    }
    legend = content.split('class="status-legend"')[1].split("</ul>")[0]
    assert re.search(r"State party</a>: <strong>3</strong>", legend)
    assert content.count('<rect class="status-fill-') == 3
    # A year alone shows as a year.
    row = content.split("Côte d&#x27;Ivoire")[1].split("</tr>")[0]
    assert "<td>2012</td>" in row


def test_countries_sort_by_name_in_the_readers_language_ignoring_accents(
    campaigner_client, treaty, world
):
    assert order(campaigner_client.get(url(treaty))) == ["BI", "CI", "CH", "GB", "VN"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sort": "country", "order": "desc"}, ["VN", "GB", "CH", "CI", "BI"]),
        # Statuses in their order (not signed, signatory, …, state party), then by name.
        ({"sort": "status"}, ["VN", "BI", "CI", "CH", "GB"]),
        # Countries without the date come last either way.
        ({"sort": "consent"}, ["GB", "CI", "CH", "BI", "VN"]),
        ({"sort": "consent", "order": "desc"}, ["CH", "CI", "GB", "BI", "VN"]),
        ({"sort": "signed"}, ["BI", "CI", "CH", "GB", "VN"]),
        ({"sort": "stage"}, ["VN", "BI", "CI", "CH", "GB"]),
        ({"sort": "nonsense"}, ["BI", "CI", "CH", "GB", "VN"]),
    ],
)
def test_the_table_sorts_on_the_server(campaigner_client, treaty, world, query, expected):
    assert order(campaigner_client.get(url(treaty), query)) == expected


def header(content: str, label: str) -> str:
    cells = re.findall(r"<th scope=\"col\".*?</th>", content, flags=re.S)
    return next(cell for cell in cells if f">{label}<" in cell)


def test_the_sorted_column_says_so_and_its_link_reverses_the_order(
    campaigner_client, treaty, world
):
    content = campaigner_client.get(url(treaty), {"sort": "consent"}).content.decode()

    consent = header(content, "Ratified or acceded")
    assert 'aria-sort="ascending"' in consent
    assert 'href="?sort=consent&amp;order=desc"' in consent
    assert "sort descending" in consent
    country = header(content, "Country")
    assert "aria-sort" not in country
    assert 'href="?sort=country"' in country

    descending = campaigner_client.get(url(treaty), {"sort": "consent", "order": "desc"})
    assert 'aria-sort="descending"' in header(descending.content.decode(), "Ratified or acceded")


def test_sorting_keeps_the_status_filter(campaigner_client, treaty, world):
    response = campaigner_client.get(url(treaty), {"status": "state_party", "sort": "consent"})

    assert order(response) == ["GB", "CI", "CH"]
    assert 'href="?status=state_party&amp;sort=consent&amp;order=desc"' in response.content.decode()


def test_htmx_sorting_returns_only_the_table(campaigner_client, treaty, world):
    response = campaigner_client.get(
        url(treaty), {"sort": "status"}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<section class="card" id="treaty-table"')
    assert "status-legend" not in content


# Query counts: session, user, the treaty, its statuses with their countries (joined), the
# latest changes with countries and authors (joined), the editor check, the menu.
TREATY_QUERIES = 7


def test_treaty_page_queries_do_not_grow(
    campaigner_client, treaty, world, django_assert_num_queries
):
    with django_assert_num_queries(TREATY_QUERIES):
        campaigner_client.get(url(treaty))
    for code, name in [("FJ", "Fiji"), ("LB", "Lebanon"), ("CO", "Colombia")]:
        services.treaty_status_save(
            status=TreatyStatus(treaty=treaty, country=CountryFactory(code=code, name=name)),
            changed_by=None,
        )
    with django_assert_num_queries(TREATY_QUERIES):
        response = campaigner_client.get(url(treaty))
    assert len(response.context["statuses"]) == 8


def test_an_unknown_treaty_is_not_found(campaigner_client, db):
    assert campaigner_client.get(reverse("campaigns:treaty", args=["nope"])).status_code == 404


def test_the_treaty_list_counts_parties(campaigner_client, treaty, world):
    content = campaigner_client.get(reverse("campaigns:treaty_list")).content.decode()

    assert "3 states parties" in content
    assert "1 signatory" in content


# A country's status and its history


def status_url(code: str, treaty) -> str:
    return reverse("campaigns:treaty_status", args=[treaty.code, code])


def change_data(**fields) -> dict:
    return {
        "status": Status.SIGNATORY,
        "stage": TreatyStatus.Stage.COMMITTEE,
        "signed_on": "2008-12-03",
        "consent_on": "",
        "entry_into_force_on": "",
        "withdrawn_on": "",
        "note": "",
        "source": "https://www.clusterconvention.org/",
        "changed_on": "2025-03-04",
        "change_note": "Bill sent to the foreign affairs committee.",
        **fields,
    }


def test_a_coordinator_moves_a_country_to_the_next_stage_and_it_is_kept_in_the_history(
    client, coordinator, treaty, world
):
    client.force_login(coordinator)

    response = client.post(status_url("BI", treaty), change_data(), follow=True)

    burundi = TreatyStatus.objects.get(treaty=treaty, country="BI")
    assert burundi.stage == TreatyStatus.Stage.COMMITTEE
    change = burundi.changes.get()
    assert (change.status, change.stage, change.changed_on, change.changed_by) == (
        Status.SIGNATORY,
        TreatyStatus.Stage.COMMITTEE,
        dt.date(2025, 3, 4),
        coordinator,
    )
    assert change.note == "Bill sent to the foreign affairs committee."
    history = response.content.decode().split('id="history-heading"')[1].split("</section>")[0]
    assert "Parliamentary committee" in history
    assert "Bill sent to the foreign affairs committee." in history


def test_a_change_of_note_only_adds_nothing_to_the_history(client, admin_user, treaty, world):
    client.force_login(admin_user)
    client.post(status_url("BI", treaty), change_data())

    client.post(status_url("BI", treaty), change_data(note="Cabinet papers leaked."))

    burundi = TreatyStatus.objects.get(treaty=treaty, country="BI")
    assert burundi.note == "Cabinet papers leaked."
    assert burundi.changes.count() == 1


def test_a_typed_date_replaces_a_year_only_date(client, coordinator, treaty, world):
    client.force_login(coordinator)

    client.post(
        status_url("CI", treaty),
        change_data(status=Status.STATE_PARTY, stage="", consent_on="2012-03-15"),
    )

    ivory_coast = TreatyStatus.objects.get(treaty=treaty, country="CI")
    assert (ivory_coast.consent_on, ivory_coast.consent_precision) == (
        dt.date(2012, 3, 15),
        DatePrecision.DAY,
    )


def test_a_status_is_recorded_for_a_country_the_directory_does_not_have_yet(
    client, coordinator, treaty
):
    client.force_login(coordinator)

    client.post(status_url("na", treaty), change_data(status=Status.NOT_SIGNED, stage=""))

    assert Country.objects.get(code="NA").name == "Namibia"
    namibia = TreatyStatus.objects.get(treaty=treaty, country="NA")
    assert namibia.changes.get().status == Status.NOT_SIGNED


@pytest.mark.parametrize("persona", ["campaigner", "viewer"])
def test_campaigners_and_viewers_read_but_do_not_change_statuses(
    client, treaty, world, persona, request
):
    client.force_login(request.getfixturevalue(persona))

    page = client.get(status_url("BI", treaty))
    posted = client.post(status_url("BI", treaty), change_data(status=Status.STATE_PARTY))

    assert page.status_code == 200
    assert '<form method="post" novalidate>' not in page.content.decode()
    assert posted.status_code == 403
    assert TreatyStatus.objects.get(treaty=treaty, country="BI").status == Status.SIGNATORY
    assert not TreatyStatusChange.objects.exists()


def test_an_unknown_country_code_is_not_found(client, coordinator, treaty):
    client.force_login(coordinator)

    assert client.get(status_url("ZZ", treaty)).status_code == 404


def test_the_treaty_page_leads_coordinators_to_any_country(client, coordinator, treaty):
    client.force_login(coordinator)

    response = client.get(url(treaty), {"country": "na"})

    assert response.url == status_url("NA", treaty)


# The country page's treaty section


def test_a_countrys_statuses_come_in_one_query(treaty, world, django_assert_num_queries):
    mbt = TreatyFactory(code="mbt", name="Mine Ban Treaty")
    TreatyStatus.objects.create(treaty=mbt, country_id="BI", status=Status.STATE_PARTY)

    burundi = Country.objects.get(code="BI")

    with django_assert_num_queries(1):
        statuses = services.treaty_statuses_for_country(burundi)
        names = [str(s.treaty) for s in statuses]

    assert names == ["Convention on Cluster Munitions", "Mine Ban Treaty"]
    assert services.treaty_statuses_for_country("bi") == statuses


def test_the_partial_shows_a_countrys_statuses(treaty, world):
    html = Template('{% include "campaigns/partials/treaty-statuses.html" %}').render(
        Context({"country": Country.objects.get(code="BI")})
    )

    assert "Convention on Cluster Munitions" in html
    assert "Signatory" in html
    assert reverse("campaigns:treaty_status", args=["ccm", "BI"]) in html


def test_the_partial_says_when_nothing_is_recorded(db):
    html = Template('{% include "campaigns/partials/treaty-statuses.html" %}').render(
        Context({"country": CountryFactory(code="KE", name="Kenya")})
    )

    assert "No treaty status recorded." in html


def test_the_country_page_shows_its_treaty_statuses(campaigner_client, treaty, world):
    content = campaigner_client.get(reverse("contacts:country", args=["BI"])).content.decode()

    treaties = content.split('id="treaties-heading"')[1].split("</section>")[0]
    assert "Convention on Cluster Munitions" in treaties
    assert "Signatory" in treaties
