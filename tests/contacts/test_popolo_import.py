"""Popolo import: the real EveryPolitician files and their quirks, updates, and broken files."""

import datetime as dt
import io
import json

import pytest
from django.core import serializers
from django.core.management import call_command
from django.utils import timezone

from contacts import imports
from contacts.models import (
    Area,
    ContactPoint,
    Identifier,
    Institution,
    Link,
    OtherName,
    Person,
    Position,
)
from contacts.search import search_people
from tests.contacts.popolo_files import (
    BURUNDI_2015,
    BURUNDI_2016,
    KENYA_2015,
    KENYA_2018,
    UK_COMMONS,
    import_file,
    import_json,
    legislature,
)

pytestmark = pytest.mark.django_db


def run_command(*args) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("import_popolo", *args, stdout=stdout, stderr=stderr)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, stdout.getvalue(), stderr.getvalue()


def person(popolo_id: str) -> Person:
    return Person.objects.get(identifiers__scheme="popolo", identifiers__value=popolo_id)


# The real files


def test_kenya_2015_imports_people_parties_constituencies_and_positions():
    code, out, _err = run_command(str(KENYA_2015), "--country", "KE")

    assert code == 0
    assert out.splitlines()[-1] == "created 1055, updated 0, unchanged 0, errors 0"
    assert Person.objects.count() == 350
    assert Institution.objects.filter(kind="party", country="KE").count() == 24
    assembly = Institution.objects.get(kind="parliament")
    assert (assembly.name, assembly.seats, assembly.country_id) == ("National Assembly", 349, "KE")
    assert Area.objects.filter(country="KE", kind="constituency").count() == 330
    # Two memberships are exact repeats of others: imported once.
    assert Position.objects.filter(institution=assembly).count() == 350
    nyikal = person("2ddc4db8-302c-49d9-8d8b-f94d65c57226")
    position = nyikal.positions.get()
    assert position.legislative_period == "11th Parliament"
    assert (position.start_date, position.start_precision) == (dt.date(2013, 3, 28), "day")
    assert position.end_date is None


def test_importing_the_same_file_twice_changes_nothing():
    run_command(str(KENYA_2015), "--country", "KE")
    before = dict(Person.objects.values_list("pk", "updated_at"))

    code, out, _err = run_command(str(KENYA_2015), "--country", "KE")

    assert code == 0
    assert out.splitlines()[-1] == "created 0, updated 0, unchanged 1055, errors 0"
    assert dict(Person.objects.values_list("pk", "updated_at")) == before


def test_kenya_2018_over_2015_updates_people_instead_of_duplicating_them():
    import_file(KENYA_2015, "KE")

    result = import_file(KENYA_2018, "KE")

    assert result.ok
    # 348 people are in both files, 2 only in 2015, 7 only in 2018.
    assert Person.objects.count() == 357
    assert result.by_kind["persons"] == {"created": 7, "updated": 348, "unchanged": 0}
    alice = person("0024e2b2-ef74-4b61-9757-c83999b45a5b")
    assert (alice.gender, alice.given_name, alice.honorific_prefix) == (
        "female",
        "Alice",
        "The Honourable",
    )
    assert alice.identifiers.filter(scheme="wikidata", value="Q26923586").exists()
    # A constituency corrected between the versions updates the position, not a second one.
    musyimi = person("2805ed98-67a1-4645-b7bf-542464df3c69")
    assert list(musyimi.positions.values_list("area__name", flat=True)) == ["Mbeere South"]


def test_the_legislature_is_matched_although_its_id_changed():
    import_file(KENYA_2015, "KE")
    assembly = Institution.objects.get(kind="parliament")

    import_file(KENYA_2018, "KE")

    assert list(Institution.objects.filter(kind="parliament")) == [assembly]
    assert Position.objects.filter(institution=assembly).count() == 357
    assert assembly.identifiers.filter(scheme="wikidata", value="Q1701225").count() == 1


def test_positions_that_left_a_covered_term_are_ended():
    import_file(KENYA_2015, "KE")

    import_file(KENYA_2018, "KE")

    # Alfred Bwire is in term 11 in 2015 but no longer in 2018, which covers term 11 and
    # gives it no end: his position ends the day before the import.
    bwire = Person.objects.get(name="Alfred Bwire")
    position = bwire.positions.get()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert (position.end_date, position.end_precision) == (yesterday, "day")
    assert not Position.objects.current().filter(person=bwire).exists()


def test_a_party_change_within_a_term_gives_two_dated_positions():
    import_file(UK_COMMONS, "GB")

    conway = person("08bcc8bc-d6c2-472d-9189-77e54824b0b5")
    positions = conway.positions.filter(legislative_period="54th Parliament of the United Kingdom")
    assert list(
        positions.order_by("start_date").values_list("party__name", "start_date", "end_date")
    ) == [
        ("Conservative", dt.date(2005, 5, 5), dt.date(2008, 1, 29)),
        ("Independent", dt.date(2008, 1, 30), dt.date(2010, 4, 12)),
    ]


def test_uk_commons_imports_all_five_terms_and_again_unchanged():
    first = import_file(UK_COMMONS, "GB")

    assert first.line() == "created 5499, updated 0, unchanged 0, errors 0"
    assert Person.objects.count() == 1337
    assert Position.objects.count() == 3363
    assert Area.objects.filter(country="GB").count() == 777
    periods = set(Position.objects.values_list("legislative_period", flat=True))
    assert periods == {
        f"{n} Parliament of the United Kingdom" for n in ("52nd", "53rd", "54th", "55th", "56th")
    }
    second = import_file(UK_COMMONS, "GB")
    assert second.line() == "created 0, updated 0, unchanged 5499, errors 0"


def test_burundi_2015_then_2016_updates_the_same_records():
    import_file(BURUNDI_2015, "BI")

    result = import_file(BURUNDI_2016, "BI")

    assert result.ok
    assert Person.objects.count() == 227
    assert Institution.objects.filter(kind="parliament").count() == 1
    assert Position.objects.count() == 227
    assert result.by_kind["persons"]["created"] == 0


def test_the_dash_party_means_no_party():
    import_file(BURUNDI_2015, "BI")

    assert not Institution.objects.filter(name="-").exists()
    assert Position.objects.filter(party__isnull=True).count() == 5


def test_national_identity_is_never_stored():
    import_file(BURUNDI_2015, "BI")

    stored = serializers.serialize(
        "json",
        [
            *Person.objects.all(),
            *OtherName.objects.all(),
            *Identifier.objects.all(),
            *ContactPoint.objects.all(),
            *Link.objects.all(),
            *Position.objects.all(),
        ],
    )
    assert "national_identity" not in stored
    assert "HUTU" not in stored.upper()
    assert "TUTSI" not in stored.upper()


# Quirks


def test_other_names_keep_their_script_and_language():
    import_file(UK_COMMONS, "GB")

    johnson = person("b5218527-3731-4f70-ad27-8d5b38182d58")
    names = dict(johnson.other_names.values_list("language", "name"))
    assert names["ar"] == "ألان جونسون"
    assert names["ru"] == "Алан Джонсон"
    assert names["zh"] == "莊翰生"
    assert list(search_people(Person.objects.all(), "Алан Джонсон")) == [johnson]


def test_honorifics_move_out_of_the_name():
    import_file(KENYA_2018, "KE")

    nyikal = person("2ddc4db8-302c-49d9-8d8b-f94d65c57226")
    assert (nyikal.honorific_prefix, nyikal.name) == ("Dr.", "James Nyikal")
    nkaissery = Person.objects.get(name="Joseph Nkaissery")
    assert nkaissery.honorific_prefix == "MAJ GEN (rtd)"
    shaban = Person.objects.get(name="Naomi Shaban")
    assert shaban.honorific_prefix == "The Honourable Dr."
    assert list(search_people(Person.objects.all(), "nyikal")) == [nyikal]


def test_year_only_dates_keep_their_precision():
    import_file(KENYA_2018, "KE")

    mtengo = Person.objects.get(name="Willy Mtengo")
    position = mtengo.positions.get()
    assert (position.start_date, position.start_precision) == (dt.date(2016, 1, 1), "year")
    assert Person.objects.get(name="Priscilla Nyokabi Kanyua").birth_date == "1979"


def test_year_month_dates_stand_for_the_first_or_last_day():
    import_json(
        legislature(
            {"person_id": "a", "start_date": "2021-02", "end_date": "2021-02"},
            {"person_id": "b", "end_date": "2022"},
        )
    )

    a = Position.objects.get(person__name="Member a")
    assert (a.start_date, a.start_precision) == (dt.date(2021, 2, 1), "month")
    assert (a.end_date, a.end_precision) == (dt.date(2021, 2, 28), "month")
    b = Position.objects.get(person__name="Member b")
    assert (b.start_date, b.end_date, b.end_precision) == (
        dt.date(2020, 1, 15),
        dt.date(2022, 12, 31),
        "year",
    )


def test_members_without_an_area_are_imported():
    import_file(KENYA_2015, "KE")

    assert Position.objects.filter(area__isnull=True).count() == 12


def test_party_ids_with_and_without_prefix_both_resolve():
    import_file(KENYA_2015, "KE")

    parties = set(Position.objects.values_list("party__name", flat=True))
    assert {"The National Alliance", "Orange Democratic Movement"} <= parties


def test_an_email_field_with_several_addresses_becomes_several_contact_points():
    import_file(KENYA_2015, "KE")

    ababu = Person.objects.get(name="Ababu Namwamba")
    assert set(ababu.contact_points.filter(kind="email").values_list("value", flat=True)) == {
        "ababumtumwa@yahoo.com",
        "budalangi@parliament.go.ke",
        "namwambaa@gmail.com",
    }


def test_twitter_is_kept_as_a_handle_whether_given_as_handle_or_url():
    import_file(UK_COMMONS, "GB")
    import_file(KENYA_2018, "KE")

    handles = dict(ContactPoint.objects.filter(kind="twitter").values_list("person__name", "value"))
    assert handles["Adam Afriyie"] == "AdamAfriyie"
    assert handles["Adam Holloway"] == "adamhollowaymp"
    assert handles["Priscilla Nyokabi Kanyua"] == "wakilinyokabi"


def test_area_ids_with_odd_characters_are_only_keys():
    data = legislature(
        {"person_id": "a", "area_id": "uk.org.publicwhip/cons/1"},
        {"person_id": "b", "area_id": "area/mt._elgon"},
        {"person_id": "c", "area_id": "area/Ñuñoa, sur"},
    )
    data["areas"] = [
        {"id": "uk.org.publicwhip/cons/1", "name": "Aberavon", "type": "constituency"},
        {"id": "area/mt._elgon", "name": "Mt. Elgon", "type": "constituency"},
        {"id": "area/Ñuñoa, sur", "name": "Ñuñoa Sur", "type": "constituency"},
    ]

    assert import_json(data).ok

    areas = dict(Position.objects.values_list("person__name", "area__name"))
    assert areas == {"Member a": "Aberavon", "Member b": "Mt. Elgon", "Member c": "Ñuñoa Sur"}


def test_people_are_searchable_after_an_import():
    import_file(KENYA_2015, "KE")

    found = search_people(Person.objects.all(), "namwamba")
    assert [p.name for p in found] == ["Ababu Namwamba"]


# Ending positions


def test_a_newer_file_ends_the_positions_it_no_longer_lists():
    import_json(legislature({"person_id": "a"}, {"person_id": "b"}))

    import_json(legislature({"person_id": "a"}))

    ended = Position.objects.get(person__name="Member b")
    assert ended.end_date == timezone.localdate() - dt.timedelta(days=1)
    assert Position.objects.get(person__name="Member a").end_date is None


def test_an_ended_term_gives_its_end_date():
    import_json(legislature({"person_id": "a"}, {"person_id": "b"}))

    import_json(legislature({"person_id": "a"}, period_end="2024-06-30"))

    assert Position.objects.get(person__name="Member b").end_date == dt.date(2024, 6, 30)
    assert Position.objects.get(person__name="Member a").end_date == dt.date(2024, 6, 30)


def test_positions_outside_the_files_terms_are_left_alone():
    import_json(legislature({"person_id": "a"}, {"person_id": "b"}))
    member_b = Person.objects.get(name="Member b")
    assembly = Institution.objects.get(name="Assembly")
    by_hand = Position.objects.create(person=member_b, institution=assembly, role="Speaker")
    other_term = Position.objects.create(
        person=member_b, institution=assembly, role="member", legislative_period="Old Assembly"
    )
    data = legislature({"person_id": "a"})
    data["memberships"][0]["legislative_period_id"] = "term/1"

    import_json(data)

    by_hand.refresh_from_db()
    other_term.refresh_from_db()
    assert by_hand.end_date is None
    assert other_term.end_date is None


# Broken files


def test_a_truncated_file_imports_nothing():
    data = KENYA_2015.read_bytes()[:50_000]

    with pytest.raises(imports.ImportRejected, match="not valid JSON"):
        imports.import_data(imports.POPOLO, data, country="KE")

    assert Person.objects.count() == 0


def test_a_missing_required_field_names_the_record_and_imports_nothing():
    data = legislature({"person_id": "a"}, {"person_id": "b"})
    del data["persons"][1]["name"]

    result = import_json(data)

    assert result.errors == ['persons[1] (id "b"): field "name" is missing']
    assert Person.objects.count() == 0
    assert Institution.objects.count() == 0


def test_wrong_types_are_named_with_their_field():
    data = legislature({"person_id": "a"}, {"person_id": "b", "start_date": 2020})
    data["persons"][0]["name"] = 12
    data["organizations"][0]["seats"] = "many"

    result = import_json(data)

    assert 'persons[0] (id "a"): field "name" must be text, not a number' in result.errors
    assert (
        'organizations[0] (id "legislature"): field "seats" must be a whole number, not text'
        in result.errors
    )
    assert 'memberships[1]: field "start_date" must be text, not a number' in result.errors
    assert Person.objects.count() == 0


def test_a_collection_that_is_not_a_list_is_an_error():
    result = import_json({"persons": {"id": "a"}, "memberships": []})

    assert result.errors == ['field "persons" must be a list, not an object']


def test_a_reference_to_a_missing_record_is_an_error():
    data = legislature({"person_id": "a", "on_behalf_of_id": "party/none"})

    result = import_json(data)

    assert result.errors == [
        'memberships[0]: on_behalf_of_id "party/none" is not among the organizations'
    ]
    assert Person.objects.count() == 0


def test_a_bad_date_is_named():
    result = import_json(legislature({"person_id": "a", "start_date": "2015-13-01"}))

    assert result.errors == [
        'memberships[0]: field "start_date" is not a date (YYYY, YYYY-MM or YYYY-MM-DD): '
        '"2015-13-01"'
    ]


@pytest.mark.parametrize("data", [[], {"name": "not popolo"}, "text"])
def test_json_that_is_not_popolo_is_refused(data):
    with pytest.raises(imports.ImportRejected, match="not Popolo"):
        imports.import_data(imports.POPOLO, json.dumps(data).encode(), country="KE")


def test_a_utf16_file_is_refused():
    data = json.dumps(legislature({"person_id": "a"})).encode("utf-16")

    with pytest.raises(imports.ImportRejected, match="UTF-16"):
        imports.import_data(imports.POPOLO, data, country="KE")


def test_a_file_with_a_byte_order_mark_imports():
    data = b"\xef\xbb\xbf" + json.dumps(legislature({"person_id": "a"})).encode()

    assert imports.import_data(imports.POPOLO, data, country="KE").ok
    assert Person.objects.count() == 1


def test_the_command_reports_errors_and_ends_with_the_summary_line(tmp_path):
    data = legislature({"person_id": "a"})
    data["persons"][0]["birth_date"] = "soon"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))

    code, out, err = run_command(str(path), "--country", "KE")

    assert code == 1
    assert out.splitlines()[-1] == "created 0, updated 0, unchanged 0, errors 1"
    assert 'persons[0] (id "a"): field "birth_date" is not a date' in err
    assert Person.objects.count() == 0


def test_the_command_asks_for_a_country_when_the_file_does_not_say():
    code, out, err = run_command(str(KENYA_2015))

    assert code == 1
    assert "--country" in err
    assert out.splitlines()[-1] == "created 0, updated 0, unchanged 0, errors 1"
    assert Person.objects.count() == 0


def test_an_unknown_country_code_is_refused():
    code, _out, err = run_command(str(KENYA_2015), "--country", "XX")

    assert code == 1
    assert '"XX" is not a country code' in err


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.truncate(imports.MAX_BYTES + 1)

    code, out, err = run_command(str(path), "--country", "KE")

    assert code == 1
    assert "larger than 50 MB" in err
    assert out.splitlines()[-1] == "created 0, updated 0, unchanged 0, errors 1"


def test_a_dry_run_changes_nothing_but_counts():
    result = import_file(KENYA_2015, "KE", dry_run=True)

    assert result.line() == "created 1055, updated 0, unchanged 0, errors 0"
    assert Person.objects.count() == 0


def test_the_number_of_queries_does_not_grow_with_the_file(django_assert_max_num_queries):
    # Kenya (350 people) and the UK Commons (1,337 people, 3,363 memberships) take about
    # the same number of queries: every lookup and write is made in bulk.
    with django_assert_max_num_queries(40):
        import_file(KENYA_2015, "KE")
    with django_assert_max_num_queries(40):
        import_file(UK_COMMONS, "GB")
