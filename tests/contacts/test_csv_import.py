"""CSV import: the documented header, idempotence, matching, and every kind of bad input."""

import datetime as dt
import json

import pytest

from contacts import imports
from contacts.csv_import import COLUMNS, template_csv
from contacts.models import ContactPoint, Institution, Person, Position
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "name,country,institution,institution_kind,role,party,area,start,end,email,phone"
ROWS = [
    "Amina Mohamed,KE,National Assembly,parliament,MP,Jubilee,Mandera North,2017-08,,"
    "amina@parliament.go.ke; amina@example.org,+254 20 221 291",
    "Amina Mohamed,KE,Foreign Affairs Committee,committee,member,,,2018,,,",
    "Jean Dupont,FR,Assemblée nationale,chamber,député,,,2022-06-22,,,",
]


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *rows]).encode(encoding)


def run(data: bytes, country: str | None = None, **options) -> imports.ImportResult:
    return imports.import_data(imports.CSV, data, country=country, **options)


def test_rows_become_people_positions_and_contact_points():
    result = run(csv_bytes(*ROWS))

    assert result.ok, result.errors
    assert Person.objects.count() == 2
    amina = Person.objects.get(name="Amina Mohamed")
    positions = amina.positions.order_by("start_date")
    assert [(p.institution.name, p.institution.kind, p.role) for p in positions] == [
        ("National Assembly", "parliament", "MP"),
        ("Foreign Affairs Committee", "committee", "member"),
    ]
    mp = positions[0]
    assert (mp.party.name, mp.party.kind, mp.area.name) == ("Jubilee", "party", "Mandera North")
    assert (mp.start_date, mp.start_precision) == (dt.date(2017, 8, 1), "month")
    assert set(amina.contact_points.values_list("kind", "value")) == {
        ("email", "amina@parliament.go.ke"),
        ("email", "amina@example.org"),
        ("phone", "+254 20 221 291"),
    }
    assert Institution.objects.get(name="Assemblée nationale").country_id == "FR"


def test_importing_the_same_csv_twice_changes_nothing():
    run(csv_bytes(*ROWS))

    second = run(csv_bytes(*ROWS))

    assert second.line() == f"created 0, updated 0, unchanged {second.unchanged}, errors 0"
    assert second.unchanged > 0
    assert Person.objects.count() == 2
    assert Position.objects.count() == 3


def test_rows_match_people_by_id():
    someone = factories.PersonFactory(name="Old Spelling")
    data = csv_bytes(f"{someone.pk},New Spelling,KE", header="id,name,country")

    result = run(data)

    assert result.by_kind["persons"] == {"created": 0, "updated": 1, "unchanged": 0}
    someone.refresh_from_db()
    assert someone.name == "New Spelling"


def test_rows_match_people_by_name_within_the_country():
    kenyan = factories.PositionFactory(
        person__name="Amina Mohamed",
        institution__country=factories.CountryFactory(code="KE"),
    ).person

    run(csv_bytes("amina mohamed,KE,,,,,,,,amina@example.org,"))

    assert Person.objects.count() == 1
    assert kenyan.contact_points.filter(value="amina@example.org").exists()


def test_a_name_in_another_country_is_another_person():
    factories.PositionFactory(
        person__name="Amina Mohamed", institution__country=factories.CountryFactory(code="KE")
    )

    run(csv_bytes("Amina Mohamed,SO,Federal Parliament,,MP,,,,,,"))

    assert Person.objects.filter(name="Amina Mohamed").count() == 2


def test_the_chosen_country_fills_empty_country_cells():
    result = run(csv_bytes("Amina Mohamed,,National Assembly,,MP,,,,,,"), country="KE")

    assert result.ok
    assert Institution.objects.get(name="National Assembly").country_id == "KE"


def test_an_end_date_in_the_csv_ends_the_position():
    run(csv_bytes(ROWS[2]))

    run(csv_bytes("Jean Dupont,FR,Assemblée nationale,chamber,député,,,2022-06-22,2024-06-09,,"))

    position = Position.objects.get()
    assert position.end_date == dt.date(2024, 6, 9)


def test_a_semicolon_separated_file_is_read():
    data = "name;country;role;institution\nJean Dupont;FR;député;Assemblée nationale\n"

    assert run(data.encode()).ok
    assert Position.objects.get().role == "député"


def test_the_template_lists_the_documented_columns():
    assert template_csv().strip().split(",") == list(COLUMNS)


def test_the_template_imports_once_filled_in():
    row = dict.fromkeys(COLUMNS, "") | {"name": "Amina Mohamed"}
    data = template_csv() + ",".join(row.values()) + "\n"

    result = run(data.encode(), country="KE")

    assert result.ok, result.errors
    assert Person.objects.get().name == "Amina Mohamed"


def test_a_byte_order_mark_is_fine():
    assert run(b"\xef\xbb\xbf" + csv_bytes(ROWS[2])).ok


# Bad input: a clear message, and nothing changes


def test_a_latin1_file_is_refused_with_its_line():
    data = csv_bytes(ROWS[0], ROWS[2], encoding="latin-1")

    with pytest.raises(imports.ImportRejected, match=r"not UTF-8 \(line 3"):
        run(data)

    assert Person.objects.count() == 0


def test_a_utf16_file_is_refused():
    with pytest.raises(imports.ImportRejected, match="UTF-16"):
        run(csv_bytes(*ROWS, encoding="utf-16"))


def test_a_missing_column_is_named():
    with pytest.raises(imports.ImportRejected, match='lacks the column "name"'):
        run(csv_bytes("KE,MP", header="country,role"))


def test_an_unknown_column_is_named():
    with pytest.raises(imports.ImportRejected, match='Unknown column "emial"'):
        run(csv_bytes("Amina,KE,a@b.org", header="name,country,emial"))


def test_an_unknown_country_code_names_the_line():
    result = run(csv_bytes(ROWS[0], "Someone,XX,,,,,,,,,"))

    assert result.errors == ['line 3: column "country": "XX" is not a country code']
    assert Person.objects.count() == 0


def test_bad_rows_are_named_by_line_and_nothing_is_imported():
    result = run(
        csv_bytes(
            ROWS[0],
            ",KE,,,,,,,,,",
            "Bad Date,KE,National Assembly,,MP,,,2017-02-30,,,",
            "Backwards,KE,National Assembly,,MP,,,2020,2019,,",
            "No Mail,KE,,,,,,,,not an address,",
            "Odd Phone,KE,,,,,,,,,call me",
        )
    )

    assert result.errors == [
        'line 3: column "name" is empty',
        'line 4: column "start" is not a date (YYYY, YYYY-MM or YYYY-MM-DD): "2017-02-30"',
        'line 5: column "end" is before "start"',
        'line 6: column "email" holds no email address',
        'line 7: column "phone" is not a phone number: "call me"',
    ]
    assert Person.objects.count() == 0
    assert ContactPoint.objects.count() == 0


def test_a_row_without_country_needs_a_chosen_one():
    result = run(csv_bytes("Amina Mohamed,,,,,,,,,,"))

    assert result.errors == ['line 2: column "country" is empty and no country was chosen']


def test_an_id_that_is_not_in_the_directory_is_an_error():
    result = run(csv_bytes("999999,Nobody,KE", header="id,name,country"))

    assert result.errors == ["line 2: there is no person 999999 in the directory"]


def test_two_people_of_the_same_name_need_an_id():
    kenya = factories.CountryFactory(code="KE")
    factories.PositionFactory.create_batch(2, person__name="John Kamau", institution__country=kenya)

    result = run(csv_bytes("John Kamau,KE,,,,,,,,,"))

    assert result.errors == [
        'line 2: 2 people called "John Kamau" hold positions in KE; give the id of the one you mean'
    ]


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 100)

    with pytest.raises(imports.ImportRejected, match="larger than"):
        run(csv_bytes(*ROWS))

    assert Person.objects.count() == 0


def test_json_given_as_csv_is_refused():
    data = json.dumps({"persons": []}).encode()

    with pytest.raises(imports.ImportRejected):
        run(data)


def test_an_empty_file_is_refused():
    with pytest.raises(imports.ImportRejected, match="empty"):
        run(b"")
