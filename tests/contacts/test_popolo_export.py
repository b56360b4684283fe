"""Popolo export: valid against the official schemas, precise dates, one country, round trip."""

import io
import json

import pytest
from django.core.management import call_command
from jsonschema import Draft3Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

from contacts import imports
from contacts.models import Person
from contacts.popolo_export import popolo_export
from tests.contacts.popolo_files import (
    BURUNDI_2015,
    KENYA_2015,
    KENYA_2018,
    SCHEMAS,
    UK_COMMONS,
    import_file,
)

pytestmark = pytest.mark.django_db

SCHEMA_URL = "http://www.popoloproject.com/schemas/{}"
# Each collection of the export, and the schema its records must satisfy.
COLLECTIONS = {
    "persons": "person.json",
    "organizations": "organization.json",
    "memberships": "membership.json",
    "areas": "area.json",
    "posts": "post.json",
    "events": "event.json",
}


def validators() -> dict[str, Draft3Validator]:
    """One validator per schema; the schemas' absolute $refs resolve to the local files, so
    nothing is fetched from the network."""
    registry = Registry().with_resources(
        (
            SCHEMA_URL.format(path.name),
            Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT3),
        )
        for path in SCHEMAS.glob("*.json")
    )
    return {
        collection: Draft3Validator(
            json.loads((SCHEMAS / name).read_text()),
            registry=registry,
            format_checker=Draft3Validator.FORMAT_CHECKER,
        )
        for collection, name in COLLECTIONS.items()
    }


def schema_errors(data: dict) -> list[str]:
    found = []
    for collection, validator in validators().items():
        for index, record in enumerate(data[collection]):
            found += [f"{collection}[{index}]: {e.message}" for e in validator.iter_errors(record)]
    return found


def test_the_validator_rejects_what_the_schemas_forbid():
    bad = {collection: [] for collection in COLLECTIONS}
    bad["persons"] = [{"id": "p", "name": "A", "birth_date": "12 May 1970"}]
    bad["memberships"] = [{"person_id": 12, "start_date": "soon"}]
    bad["organizations"] = [{"id": "o", "identifiers": [{"scheme": "wikidata"}]}]

    assert len(schema_errors(bad)) == 4


def test_the_export_of_imported_real_data_is_valid_against_the_schemas():
    import_file(KENYA_2015, "KE")
    import_file(KENYA_2018, "KE")
    import_file(BURUNDI_2015, "BI")

    data = popolo_export()

    assert schema_errors(data) == []
    assert len(data["persons"]) == Person.objects.count()
    assert {len(data[name]) > 0 for name in COLLECTIONS} == {True}


def test_the_uk_export_is_valid_against_the_schemas():
    import_file(UK_COMMONS, "GB")

    data = popolo_export(country="GB")

    assert schema_errors(data) == []
    assert len(data["memberships"]) == 3363


def test_dates_are_exported_with_their_precision():
    import_file(KENYA_2018, "KE")

    data = popolo_export(country="KE")

    mtengo = next(p for p in data["persons"] if p["name"] == "Willy Mtengo")
    (membership,) = [m for m in data["memberships"] if m["person_id"] == mtengo["id"]]
    assert membership["start_date"] == "2016"
    kanyua = next(p for p in data["persons"] if p["name"] == "Priscilla Nyokabi Kanyua")
    assert kanyua["birth_date"] == "1979"


def test_people_keep_their_everypolitician_id_and_identifiers():
    import_file(KENYA_2018, "KE")

    data = popolo_export(country="KE")

    alice = next(p for p in data["persons"] if p["id"] == "0024e2b2-ef74-4b61-9757-c83999b45a5b")
    assert {"scheme": "wikidata", "identifier": "Q26923586"} in alice["identifiers"]
    assert {"type": "email", "value": "muthoniwahome@yahoo.com"} in alice["contact_details"]
    assert "national_identity" not in json.dumps(data)


def test_a_country_export_holds_only_that_countrys_institutions_and_people():
    import_file(KENYA_2015, "KE")
    import_file(BURUNDI_2015, "BI")

    data = popolo_export(country="BI")

    assert len(data["persons"]) == 227
    assert [a for a in data["areas"] if a["classification"] == "country"] == [
        {"id": "country/BI", "name": "Burundi", "classification": "country", "identifier": "BI"}
    ]
    assert {o["area_id"] for o in data["organizations"]} == {"country/BI"}


def test_an_exported_file_imports_back_without_changes():
    import_file(KENYA_2018, "KE")
    exported = json.dumps(popolo_export(country="KE")).encode()

    # The file says its country through its country area: no country needs giving.
    result = imports.import_data(imports.POPOLO, exported)

    assert result.ok
    assert result.created == 0
    assert result.updated == 0


def test_the_export_command_writes_the_json():
    import_file(BURUNDI_2015, "BI")
    out = io.StringIO()

    call_command("export_popolo", "--country", "bi", stdout=out)

    data = json.loads(out.getvalue())
    assert len(data["persons"]) == 227
    assert schema_errors(data) == []
