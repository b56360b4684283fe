"""CSV and vCard exports of the directory: they read back, hold only the filtered people,
keep every script, and leave a trace in the audit trail."""

import csv
import io

import pytest
import vobject
from django.urls import reverse

from advocacy.models import AuditEvent
from contacts import csv_import, exports
from contacts.models import ContactPoint, Person, Position
from contacts.search import person_refresh_search
from tests.contacts.directory_world import build_world
from tests.factories import (
    CampaignFactory,
    ContactPointFactory,
    PersonFactory,
    PositionFactory,
    StanceAssessmentFactory,
)

CSV_URL = reverse("contacts:directory_csv")
VCARD_URL = reverse("contacts:directory_vcard")


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def nasser(world):
    """Someone known by names in two scripts, with two emails and two phones."""
    person = PersonFactory(
        name="Nasser Al-Amin",
        given_name="Nasser",
        family_name="Al-Amin",
        sort_name="Al-Amin, Nasser",
        honorific_prefix="H.E.",
    )
    person.other_names.create(name="ناصر الأمين", language="ar")
    person.other_names.create(name="纳赛尔·阿明, 大使", language="zh")
    PositionFactory(person=person, institution=world.ministry, role="Ambassador; disarmament")
    for kind, value in [
        ("email", "nasser@mfa.go.ke"),
        ("email", "n.alamin@example.org"),
        ("phone", "+254 20 318 888"),
        ("phone", "+41 22 906 40 50"),
        ("capital_office", "Old Treasury Building,\nHarambee Avenue, Nairobi"),
    ]:
        ContactPointFactory(person=person, kind=kind, value=value)
    person_refresh_search([person.pk])
    return person


def streamed(response) -> str:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def read_csv(response) -> list[dict]:
    text = streamed(response)
    assert text.startswith("\ufeff")  # spreadsheet programs then read UTF-8
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    assert reader.fieldnames == exports.CSV_HEADER
    return list(reader)


def read_vcards(text: str) -> list:
    return list(vobject.readComponents(text))


# CSV


def test_csv_reads_back_with_the_documented_columns(campaigner_client, world):
    rows = read_csv(campaigner_client.get(CSV_URL, {"q": "kamau"}))
    # One row per current position, the latest started first: Désiré sits in the Assembly
    # and on a committee.
    assert [(row["institution"], row["role"]) for row in rows] == [
        ("National Assembly", "MP"),
        ("Defence and Foreign Relations Committee", "Member"),
    ]
    assert rows[0] == {
        "id": str(world.desire.pk),
        "name": "Désiré Kamau",
        "given_name": "Désiré",
        "family_name": "Kamau",
        "honorific_prefix": "Hon.",
        "gender": "",
        "country": "KE",
        "institution": "National Assembly",
        "institution_kind": "parliament",
        "role": "MP",
        "post": "",
        "party": "Jubilee Party",
        "area": "Kisumu Central",
        "area_kind": "constituency",
        "start": "2017-08-31",
        "end": "",
        "email": "desire.kamau@parliament.go.ke",
        "phone": "",
        "twitter": "",
        "website": "",
        "wikidata": "",
    }


def test_csv_writes_dates_as_precisely_as_they_are_known(campaigner_client, world):
    position = world.former.positions.get()
    position.start_precision = "year"
    position.end_precision = "month"
    position.save()
    rows = read_csv(campaigner_client.get(CSV_URL, {"q": "zachary", "current": "no"}))
    assert [(row["start"], row["end"]) for row in rows] == [("2013", "2017-08")]


def test_exported_csv_imports_back_without_changing_anything(campaigner_client, nasser):
    nasser.identifiers.create(scheme="wikidata", value="Q4717538")
    ContactPointFactory(person=nasser, kind="twitter", value="NasserAlAmin")
    ContactPointFactory(person=nasser, kind="website", value="https://nasser.example.org")
    counts = (Person.objects.count(), Position.objects.count(), ContactPoint.objects.count())
    data = streamed(campaigner_client.get(CSV_URL, {"current": "no"})).encode()

    result = csv_import.csv_import(data)

    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 0), result.by_kind
    assert (Person.objects.count(), Position.objects.count(), ContactPoint.objects.count()) == (
        counts
    )


def test_csv_keeps_other_scripts_and_several_emails_and_phones(campaigner_client, nasser):
    PersonFactory(name="Ирина Петрова", given_name="Ирина", family_name="Петрова")
    rows = read_csv(campaigner_client.get(CSV_URL, {"current": "no"}))
    by_name = {row["name"]: row for row in rows}
    assert "Ирина Петрова" in by_name
    assert by_name["Ирина Петрова"]["institution"] == ""
    nasser_rows = [row for row in rows if row["name"] == "Nasser Al-Amin"]
    # His position's row, then a row for his second phone: one number per cell.
    assert [(row["role"], row["phone"]) for row in nasser_rows] == [
        ("Ambassador; disarmament", "+254 20 318 888"),
        ("", "+41 22 906 40 50"),
    ]
    for row in nasser_rows:
        assert row["id"] == str(nasser.pk)
        assert row["country"] == "KE"
        assert row["email"].split(exports.MULTI_SEPARATOR) == [
            "nasser@mfa.go.ke",
            "n.alamin@example.org",
        ]


def test_csv_defuses_spreadsheet_formulas_but_not_phone_numbers(campaigner_client, world):
    person = PersonFactory(name='=HYPERLINK("http://evil.example")', sort_name="zzz")
    ContactPointFactory(person=person, kind="phone", value="+254 700 000000")
    person_refresh_search([person.pk])
    rows = read_csv(campaigner_client.get(CSV_URL, {"q": "hyperlink"}))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[0]["phone"] == "+254 700 000000"


def test_csv_holds_only_the_filtered_people(campaigner_client, world):
    rows = read_csv(campaigner_client.get(CSV_URL, {"country": "UG"}))
    assert [row["name"] for row in rows] == ["Grace Okello"]
    rows = read_csv(campaigner_client.get(CSV_URL, {"governing": "no"}))
    assert {row["name"] for row in rows} == {"Amina Odhiambo"}


def test_csv_ignores_the_page_and_exports_every_match(campaigner_client, world, monkeypatch):
    monkeypatch.setattr("contacts.views.directory.PAGE_SIZE", 1)
    rows = read_csv(campaigner_client.get(CSV_URL, {"page": "3", "country": "KE"}))
    assert {row["name"] for row in rows} == {"Ahmed Hassan", "Désiré Kamau", "Amina Odhiambo"}


def test_csv_of_past_positions_has_their_dates(campaigner_client, world):
    rows = read_csv(campaigner_client.get(CSV_URL, {"q": "zachary", "current": "no"}))
    assert [(row["start"], row["end"]) for row in rows] == [("2013-03-28", "2017-08-08")]


def test_csv_export_by_stance_follows_what_the_user_may_see(
    campaigner_client, world, organisation, campaigner, outsider
):
    campaign = CampaignFactory(organisation=organisation, created_by=campaigner)
    StanceAssessmentFactory(campaign=campaign, person=world.amina, stance="champion")
    StanceAssessmentFactory(
        campaign=campaign,
        person=world.desire,
        stance="champion",
        organisation=outsider.memberships.get().organisation,
        created_by=outsider,
    )
    response = campaigner_client.get(CSV_URL, {"campaign": campaign.pk, "stance": "champion"})
    assert [row["name"] for row in read_csv(response)] == ["Amina Odhiambo"]


def test_csv_export_is_recorded(campaigner_client, world, campaigner, organisation):
    campaign = CampaignFactory(organisation=organisation, created_by=campaigner)
    read_csv(campaigner_client.get(CSV_URL, {"country": "KE", "campaign": campaign.pk}))
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.actor == campaigner
    assert event.organisation == organisation
    assert event.detail == {
        "format": "csv",
        "filters": {"country": "KE", "campaign": str(campaign.pk)},
    }


def test_export_with_bad_filters_explains_and_exports_nothing(campaigner_client, world):
    response = campaigner_client.get(CSV_URL, {"country": "XX"})
    assert response.status_code == 400
    assert not response.streaming
    assert 'href="#id_country"' in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_exports_need_sign_in(client, world):
    for url in (CSV_URL, VCARD_URL, reverse("contacts:person_vcard", args=[world.amina.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not AuditEvent.objects.exists()


# vCard


def test_vcard_list_reads_back_with_vobject(campaigner_client, world):
    response = campaigner_client.get(VCARD_URL, {"country": "KE"})
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert 'filename="directory-' in response["Content-Disposition"]
    cards = read_vcards(streamed(response))
    assert [card.fn.value for card in cards] == [
        "Ahmed Hassan",
        "Hon. Désiré Kamau",
        "Amina Odhiambo",
    ]
    desire = cards[1]
    assert desire.version.value == "3.0"
    assert desire.n.value.family == "Kamau"
    assert desire.n.value.given == "Désiré"
    assert desire.n.value.prefix == "Hon."
    assert desire.email.value == "desire.kamau@parliament.go.ke"
    assert desire.org.value == ["National Assembly"]
    assert desire.title.value == "MP"
    assert desire.note.value == (
        "MP · National Assembly · Jubilee Party · Kisumu Central\n"
        "Member · Defence and Foreign Relations Committee"
    )


def test_vcard_keeps_other_scripts_several_emails_phones_and_offices(campaigner_client, nasser):
    response = campaigner_client.get(reverse("contacts:person_vcard", args=[nasser.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    (card,) = read_vcards(text)
    assert card.fn.value == "H.E. Nasser Al-Amin"
    assert {name.value for name in card.contents["nickname"]} == {
        "ناصر الأمين",
        "纳赛尔·阿明, 大使",
    }
    assert [email.value for email in card.contents["email"]] == [
        "nasser@mfa.go.ke",
        "n.alamin@example.org",
    ]
    assert sorted(tel.value for tel in card.contents["tel"]) == [
        "+254 20 318 888",
        "+41 22 906 40 50",
    ]
    assert card.title.value == "Ambassador; disarmament"
    assert card.org.value == ["Ministry of Foreign Affairs"]
    assert card.adr.value.street == "Old Treasury Building,\nHarambee Avenue, Nairobi"


def test_long_names_in_other_scripts_fold_without_breaking_characters(campaigner_client, world):
    long_name = "عبد الرحمن بن عبد العزيز بن عبد الرحمن آل سعود " * 3
    person = PersonFactory(name=long_name.strip(), given_name="", family_name="")
    response = campaigner_client.get(reverse("contacts:person_vcard", args=[person.pk]))
    text = response.content.decode("utf-8")  # a split character would not decode
    (card,) = read_vcards(text)
    assert card.fn.value == long_name.strip()
    assert card.n.value.family == long_name.strip()


def test_person_vcard_is_named_after_them_and_recorded(campaigner_client, nasser, campaigner):
    response = campaigner_client.get(reverse("contacts:person_vcard", args=[nasser.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="Nasser Al-Amin.vcf"'
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.actor == campaigner
    assert event.target_id == str(nasser.pk)
    assert event.target_label == "Nasser Al-Amin"
    assert event.detail == {"format": "vcard"}


def test_person_vcard_of_a_name_in_another_script_gets_an_encoded_filename(
    campaigner_client, world
):
    person = PersonFactory(name="Ирина Петрова")
    response = campaigner_client.get(reverse("contacts:person_vcard", args=[person.pk]))
    assert "filename*=utf-8''" in response["Content-Disposition"]


def test_vcard_of_someone_unknown_is_not_found(campaigner_client, world):
    response = campaigner_client.get(reverse("contacts:person_vcard", args=[999999]))
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_vcard_list_holds_only_the_filtered_people_and_is_recorded(
    campaigner_client, world, campaigner
):
    text = streamed(campaigner_client.get(VCARD_URL, {"committee": world.committee.pk}))
    assert [card.fn.value for card in read_vcards(text)] == ["Hon. Désiré Kamau"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.detail == {"format": "vcard", "filters": {"committee": str(world.committee.pk)}}
    assert event.organisation is None


def test_expired_contact_points_are_left_out(campaigner_client, world):
    ContactPointFactory(
        person=world.amina,
        kind="email",
        value="old@parliament.go.ke",
        valid_from="2015-01-01",
        valid_until="2017-12-31",
    )
    ContactPointFactory(person=world.amina, kind="email", value="amina@parliament.go.ke")
    (card,) = read_vcards(streamed(campaigner_client.get(VCARD_URL, {"q": "amina"})))
    assert [email.value for email in card.contents["email"]] == ["amina@parliament.go.ke"]


# Queries


@pytest.mark.parametrize("count", [3, 30])
def test_export_queries_do_not_grow(campaigner_client, world, django_assert_num_queries, count):
    for n in range(count):
        person = PersonFactory(name=f"Extra {n}")
        PositionFactory(person=person, institution=world.parliament, party=world.governing)
        ContactPointFactory(person=person)
        person.other_names.create(name=f"Другой {n}")
    # Session, user, the audit event; the people (a server-side cursor) and, per chunk of
    # 500, their positions with institution, party and area (joined), contact points,
    # Wikidata ids, other names, links and tags.
    with django_assert_num_queries(10):
        text = streamed(campaigner_client.get(VCARD_URL))
    assert text.count("BEGIN:VCARD") == count + 4
