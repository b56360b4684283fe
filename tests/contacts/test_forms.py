import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from advocacy.models import AuditEvent
from contacts.forms import parse_precise_date, validate_international_phone
from contacts.models import (
    Area,
    ContactPoint,
    Country,
    DatePrecision,
    Identifier,
    Institution,
    Person,
    Position,
    Post,
    Tag,
)
from contacts.search import person_refresh_search, search_people
from tests import factories

pytestmark = pytest.mark.django_db


# Validators


@pytest.mark.parametrize(
    "number", ["+41 22 555 01 00", "+25722201111", "+1 212 555 0199", "+679 330 1234"]
)
def test_it_accepts_international_phone_numbers(number):
    validate_international_phone(number)


@pytest.mark.parametrize(
    "number",
    [
        "022 555 01 00",  # no country code
        "0041 22 555 01 00",  # 00 instead of +
        "+0 22 555 0100",  # no country code starts with 0
        "+41-22-555-01-00",  # only spaces may group digits
        "+41 22 555 01 00 12 34 56",  # more than 15 digits
        "+41 555",  # too short to be a number
        "+41 22 555 O1 00",  # a letter O
        "+41  22 555 01 00",  # two spaces (the form collapses them first)
        " +41 22 555 01 00",
    ],
)
def test_it_rejects_other_phone_numbers(number):
    with pytest.raises(ValidationError):
        validate_international_phone(number)


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2019", False, (dt.date(2019, 1, 1), DatePrecision.YEAR)),
        ("2019", True, (dt.date(2019, 12, 31), DatePrecision.YEAR)),
        ("2024-02", True, (dt.date(2024, 2, 29), DatePrecision.MONTH)),
        ("2023-02", False, (dt.date(2023, 2, 1), DatePrecision.MONTH)),
        ("2019-05-14", True, (dt.date(2019, 5, 14), DatePrecision.DAY)),
    ],
)
def test_it_reads_dates_as_precisely_as_they_are_given(text, end, expected):
    assert tuple(parse_precise_date(text, end=end)) == expected


@pytest.mark.parametrize("text", ["19", "2019-13", "2019-02-30", "14/05/2019", "May 2019"])
def test_it_rejects_dates_it_cannot_read(text):
    with pytest.raises(ValidationError):
        parse_precise_date(text)


# People


def _management(prefix: str, total: int = 1, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _person_data(**fields) -> dict:
    data = {
        "name": "Aline Kaneza",
        "given_name": "Aline",
        "family_name": "Kaneza",
        "gender": "female",
        "languages": "fr, rn",
        **_management("names"),
        **_management("ids"),
        **_management("links"),
    }
    data.update(fields)
    return data


def test_an_editor_creates_a_person_with_names_identifiers_links_and_tags(
    campaigner_client, campaigner
):
    tag = Tag.objects.create(name="health", slug="health")
    data = _person_data(
        tags=[tag.pk],
        **{
            "names-0-name": "ካነዛ",
            "names-0-language": "am",
            "ids-0-scheme": "wikidata",
            "ids-0-value": "Q123",
            "links-0-url": "https://parliament.example.org/kaneza",
        },
    )

    response = campaigner_client.post(reverse("contacts:person_create"), data)

    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    assert person.sort_name == "Kaneza, Aline"
    assert person.languages == ["fr", "rn"]
    assert list(person.tags.all()) == [tag]
    assert person.other_names.get().language == "am"
    assert person.identifiers.get().value == "Q123"
    assert person.links.get().url == "https://parliament.example.org/kaneza"
    # The search document is fresh: the other name finds her.
    assert list(search_people(Person.objects.all(), "ካነዛ")) == [person]
    event = AuditEvent.objects.get(target_id=str(person.pk))
    assert event.action == AuditEvent.Action.CREATED and event.actor == campaigner


def test_it_refuses_a_person_without_a_name(campaigner_client):
    response = campaigner_client.post(reverse("contacts:person_create"), _person_data(name=""))
    assert response.status_code == 400
    assert Person.objects.count() == 0
    assert "error-summary" in response.content.decode()


def test_it_refuses_an_identifier_that_names_someone_else(campaigner_client):
    other = factories.PersonFactory(name="Existing Person")
    Identifier.objects.create(person=other, scheme="wikidata", value="Q1")
    data = _person_data(**{"ids-0-scheme": "wikidata", "ids-0-value": "Q1"})

    response = campaigner_client.post(reverse("contacts:person_create"), data)

    assert response.status_code == 400
    assert "already names Existing Person" in response.content.decode()
    assert Person.objects.count() == 1


def test_an_editor_renames_a_person_and_removes_another_name(campaigner_client):
    person = factories.PersonFactory(name="Old Name", given_name="Old", family_name="Name")
    other = person.other_names.create(name="Ancien Nom", language="fr")
    data = _person_data(
        name="New Name",
        given_name="New",
        family_name="Name",
        sort_name="Name, New",
        **_management("names", total=1, initial=1),
        **{
            "names-0-id": other.pk,
            "names-0-name": "Ancien Nom",
            "names-0-language": "fr",
            "names-0-DELETE": "on",
        },
    )

    response = campaigner_client.post(reverse("contacts:person_update", args=[person.pk]), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "New Name"
    assert person.other_names.count() == 0
    assert "new name" in person.search_document and "ancien" not in person.search_document
    event = AuditEvent.objects.get(target_id=str(person.pk), action=AuditEvent.Action.UPDATED)
    assert "name" in event.detail["fields"]


@pytest.mark.parametrize(
    "url_name", ["contacts:person_create", "contacts:institution_create", "contacts:area_create"]
)
def test_viewers_may_not_edit_the_directory(client, viewer, url_name):
    client.force_login(viewer)
    assert client.get(reverse(url_name)).status_code == 403
    assert client.post(reverse(url_name), _person_data()).status_code == 403
    assert Person.objects.count() == 0


def test_viewers_may_not_edit_positions_or_contact_points(client, viewer):
    position = factories.PositionFactory()
    point = factories.ContactPointFactory()
    client.force_login(viewer)
    urls = [
        reverse("contacts:person_update", args=[position.person.pk]),
        reverse("contacts:position_create", args=[position.person.pk]),
        reverse("contacts:position_update", args=[position.pk]),
        reverse("contacts:contact_point_update", args=[point.pk]),
        reverse("contacts:person_contact_point_create", args=[point.person.pk]),
        reverse("contacts:tag_update", args=[Tag.objects.create(name="x", slug="x").pk]),
    ]
    for url in urls:
        assert client.post(url, {}).status_code == 403, url


def test_an_editor_of_any_organisation_may_edit(outsider_client):
    response = outsider_client.post(reverse("contacts:person_create"), _person_data())
    assert response.status_code == 302
    assert Person.objects.filter(name="Aline Kaneza").exists()


# Positions


def _position_data(institution, **fields) -> dict:
    return {"institution": institution.pk, "role": "MP", **fields}


def test_an_editor_adds_a_position_with_dates_as_precise_as_known(campaigner_client):
    person = factories.PersonFactory()
    parliament = factories.InstitutionFactory(name="Parliament", kind="parliament")
    party = factories.PartyFactory(name="Green Hills Party")
    area = factories.AreaFactory(name="Ngozi")
    data = _position_data(
        parliament, party=party.pk, area=area.pk, start_date="2015", end_date="2020-07"
    )

    response = campaigner_client.post(reverse("contacts:position_create", args=[person.pk]), data)

    assert response.status_code == 302
    position = Position.objects.get(person=person)
    assert (position.start_date, position.start_precision) == (dt.date(2015, 1, 1), "year")
    assert (position.end_date, position.end_precision) == (dt.date(2020, 7, 31), "month")
    assert position.party == party and position.area == area
    person.refresh_from_db()
    assert "green hills party" in person.search_document and "ngozi" in person.search_document
    assert AuditEvent.objects.filter(target_id=str(position.pk), action="created").exists()


def test_a_position_cannot_end_before_it_starts(campaigner_client):
    person = factories.PersonFactory()
    data = _position_data(factories.InstitutionFactory(), start_date="2020-05-01", end_date="2019")
    response = campaigner_client.post(reverse("contacts:position_create", args=[person.pk]), data)
    assert response.status_code == 400
    assert "The end comes before the start." in response.content.decode()
    assert not Position.objects.exists()


def test_a_post_holds_one_current_person_per_seat(campaigner_client):
    ministry = factories.InstitutionFactory()
    post = Post.objects.create(institution=ministry, label="Minister of Defence")
    factories.PositionFactory(institution=ministry, post=post, start_date=dt.date(2022, 1, 1))
    newcomer = factories.PersonFactory()
    url = reverse("contacts:position_create", args=[newcomer.pk])

    clash = campaigner_client.post(url, _position_data(ministry, post=post.pk, start_date="2024"))
    # After the holder left, the post is free again.
    Position.objects.filter(post=post).update(end_date=dt.date(2023, 12, 31))
    free = campaigner_client.post(url, _position_data(ministry, post=post.pk, start_date="2024"))

    assert clash.status_code == 400
    assert "Someone else holds this post over the same dates." in clash.content.decode()
    assert free.status_code == 302
    assert Position.objects.filter(post=post, person=newcomer).count() == 1


def test_a_post_with_two_seats_takes_two_people(campaigner_client):
    chamber = factories.InstitutionFactory(kind="chamber")
    post = Post.objects.create(institution=chamber, label="Member for Bujumbura", seats=2)
    factories.PositionFactory(institution=chamber, post=post)
    second, third = factories.PersonFactory(), factories.PersonFactory()

    ok = campaigner_client.post(
        reverse("contacts:position_create", args=[second.pk]),
        _position_data(chamber, post=post.pk),
    )
    full = campaigner_client.post(
        reverse("contacts:position_create", args=[third.pk]),
        _position_data(chamber, post=post.pk),
    )

    assert ok.status_code == 302 and full.status_code == 400
    assert Position.objects.filter(post=post).count() == 2


def test_an_aide_works_for_someone_else(campaigner_client):
    mp, aide = factories.PersonFactory(), factories.PersonFactory()
    parliament = factories.InstitutionFactory()

    own = campaigner_client.post(
        reverse("contacts:position_create", args=[mp.pk]),
        _position_data(parliament, role="aide", to_person=mp.pk),
    )
    theirs = campaigner_client.post(
        reverse("contacts:position_create", args=[aide.pk]),
        _position_data(parliament, role="aide", to_person=mp.pk),
    )

    assert own.status_code == 400 and "cannot be their own aide" in own.content.decode()
    assert theirs.status_code == 302
    assert Position.objects.get(person=aide).to_person == mp


def test_find_shows_matching_institutions_without_saving_or_complaining(campaigner_client):
    person = factories.PersonFactory()
    factories.InstitutionFactory(name="Ministry of Defence")
    factories.InstitutionFactory(name="Ministry of Health")

    response = campaigner_client.post(
        reverse("contacts:position_create", args=[person.pk]),
        {"institution__q": "defence", "_lookup": "institution", "role": "adviser"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ministry of Defence" in html and "Ministry of Health" not in html
    assert "error-summary" not in html and 'value="adviser"' in html
    assert not Position.objects.exists()


def test_the_lookup_returns_options_for_htmx(campaigner_client):
    people = [factories.PersonFactory(name="Désiré Ndayizeye"), factories.PersonFactory()]
    person_refresh_search([p.pk for p in people])

    response = campaigner_client.get(
        reverse("contacts:lookup", args=["person"]), {"to_person__q": "desire"}
    )

    html = response.content.decode()
    assert html.startswith('<option value="">')
    assert "Désiré Ndayizeye" in html and people[1].name not in html


def test_an_editor_edits_a_position(campaigner_client):
    position = factories.PositionFactory(role="MP", start_date=dt.date(2018, 1, 1))
    data = _position_data(position.institution, role="Speaker", start_date="2018-01-01")
    response = campaigner_client.post(reverse("contacts:position_update", args=[position.pk]), data)
    assert response.status_code == 302
    position.refresh_from_db()
    position.person.refresh_from_db()
    assert position.role == "Speaker"
    assert "speaker" in position.person.search_document


# Contact points


def test_an_editor_adds_a_constituency_office(campaigner_client):
    person = factories.PersonFactory()
    data = {
        "kind": "constituency_office",
        "value": "12 Market Street, Gitega",
        "hours": "Fri 9:00-13:00",
        "valid_from": "2024-01-01",
    }
    response = campaigner_client.post(
        reverse("contacts:person_contact_point_create", args=[person.pk]), data
    )
    assert response.status_code == 302
    point = person.contact_points.get()
    assert point.hours == "Fri 9:00-13:00" and point.valid_from == dt.date(2024, 1, 1)


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("phone", "022 555 01 00", "international format"),
        ("website", "parliament.example", "Enter a full web address"),
    ],
)
def test_it_checks_contact_values_by_kind(campaigner_client, kind, value, error):
    person = factories.PersonFactory()
    response = campaigner_client.post(
        reverse("contacts:person_contact_point_create", args=[person.pk]),
        {"kind": kind, "value": value},
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not ContactPoint.objects.exists()


def test_it_tidies_phone_numbers_and_email_addresses(campaigner_client):
    institution = factories.InstitutionFactory()
    url = reverse("contacts:institution_contact_point_create", args=[institution.pk])
    campaigner_client.post(url, {"kind": "phone", "value": " +41  22 555 01 00 "})
    campaigner_client.post(url, {"kind": "email", "value": "Info@MFA.example.org"})
    values = set(institution.contact_points.values_list("value", flat=True))
    assert values == {"+41 22 555 01 00", "info@mfa.example.org"}


def test_a_contact_point_is_valid_in_order(campaigner_client):
    point = factories.ContactPointFactory()
    response = campaigner_client.post(
        reverse("contacts:contact_point_update", args=[point.pk]),
        {
            "kind": "email",
            "value": point.value,
            "valid_from": "2024-05-01",
            "valid_until": "2024-04-01",
        },
    )
    assert response.status_code == 400
    point.refresh_from_db()
    assert point.valid_from is None


# Institutions, areas, tags


def test_an_editor_adds_an_institution_in_a_country_not_yet_listed(campaigner_client):
    parent = factories.InstitutionFactory(name="Ministry of Foreign Affairs")
    tag = Tag.objects.create(name="security", slug="security")
    data = {
        "name": "Disarmament desk",
        "kind": "department",
        "country": "VN",
        "parent": parent.pk,
        "tags": [tag.pk],
    }
    response = campaigner_client.post(reverse("contacts:institution_create"), data)

    desk = Institution.objects.get(name="Disarmament desk")
    assert response.status_code == 302
    assert desk.country == Country.objects.get(code="VN") and desk.parent == parent
    assert list(desk.tags.all()) == [tag]


def test_an_institution_cannot_be_part_of_itself(campaigner_client):
    ministry = factories.InstitutionFactory(name="Ministry")
    desk = factories.InstitutionFactory(name="Desk", parent=ministry)
    response = campaigner_client.post(
        reverse("contacts:institution_update", args=[ministry.pk]),
        {"name": "Ministry", "kind": "ministry", "parent": desk.pk},
    )
    assert response.status_code == 400
    ministry.refresh_from_db()
    assert ministry.parent is None


def test_renaming_an_institution_updates_its_members_search(campaigner_client):
    position = factories.PositionFactory(institution__name="Old Ministry")
    response = campaigner_client.post(
        reverse("contacts:institution_update", args=[position.institution.pk]),
        {"name": "Ministry of Peace", "kind": "ministry"},
    )
    assert response.status_code == 302
    position.person.refresh_from_db()
    assert "ministry of peace" in position.person.search_document


def test_an_editor_adds_and_renames_an_area(campaigner_client):
    response = campaigner_client.post(
        reverse("contacts:area_create"), {"name": "Gitega", "kind": "province", "country": "BI"}
    )
    area = Area.objects.get()
    assert response.status_code == 302 and area.country_id == "BI"
    position = factories.PositionFactory(area=area)

    campaigner_client.post(
        reverse("contacts:area_update", args=[area.pk]),
        {"name": "Gitega Province", "kind": "province", "country": "BI"},
    )

    position.person.refresh_from_db()
    assert "gitega province" in position.person.search_document


def test_an_editor_adds_a_tag_and_its_slug_is_made_for_them(campaigner_client):
    response = campaigner_client.post(
        reverse("contacts:tags"), {"name": "Victim assistance", "kind": "issue"}
    )
    duplicate = campaigner_client.post(
        reverse("contacts:tags"), {"name": "Victim Assistance", "kind": "hook"}
    )
    assert response.status_code == 302
    assert Tag.objects.get().slug == "victim-assistance"
    assert duplicate.status_code == 400


def test_viewers_see_tags_but_no_form(client, viewer):
    Tag.objects.create(name="tourism", slug="tourism")
    client.force_login(viewer)
    html = client.get(reverse("contacts:tags")).content.decode()
    assert "tourism" in html and "New tag" not in html
    assert client.post(reverse("contacts:tags"), {"name": "x"}).status_code == 403
