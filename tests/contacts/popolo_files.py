"""The real EveryPolitician files (read in place, beside the project) and small made-up ones."""

import json
from pathlib import Path

from contacts import imports
from contacts.imports import ImportResult

ROOT = Path(__file__).resolve().parents[2]
REALDATA = ROOT.parent / "shared" / "realdata" / "popolo"
SCHEMAS = ROOT.parent / "shared" / "popolo-schemas"

KENYA_2015 = REALDATA / "kenya-2015" / "ep-popolo-v1.0.json"
KENYA_2018 = REALDATA / "kenya-2018-ep-popolo-v1.0.json"
UK_COMMONS = REALDATA / "uk-commons-2015" / "ep-popolo-v1.0.json"
BURUNDI_2015 = REALDATA / "burundi-2015" / "ep-popolo-v1.0.json"
BURUNDI_2016 = REALDATA / "burundi-2016-ep-popolo-v1.0.json"


def import_file(path: Path, country: str | None, **options) -> ImportResult:
    return imports.import_data(imports.POPOLO, path.read_bytes(), country=country, **options)


def import_json(data: dict, country: str | None = "KE", **options) -> ImportResult:
    raw = json.dumps(data).encode()
    return imports.import_data(imports.POPOLO, raw, country=country, **options)


def legislature(*members: dict, period_end: str | None = None) -> dict:
    """A small Popolo file: one legislature, one party, one term, the given memberships."""
    term = {
        "id": "term/1",
        "name": "1st Assembly",
        "classification": "legislative period",
        "start_date": "2020-01-15",
    }
    if period_end:
        term["end_date"] = period_end
    people = {m["person_id"] for m in members}
    return {
        "persons": [{"id": pid, "name": f"Member {pid}"} for pid in sorted(people)],
        "organizations": [
            {"id": "legislature", "name": "Assembly", "classification": "legislature"},
            {"id": "party/green", "name": "Green Party", "classification": "party"},
        ],
        "areas": [{"id": "area/north", "name": "North", "type": "constituency"}],
        "events": [term],
        "memberships": [
            {"organization_id": "legislature", "legislative_period_id": "term/1", **m}
            for m in members
        ],
    }
