"""The directory as Popolo JSON, valid against the official schemas (popoloproject.com).

Ids are this directory's own ("person/12", "institution/3"), except a person imported with
an EveryPolitician UUID keeps it, so the file lines up with theirs. Countries are written
as areas of classification "country" whose `identifier` is the ISO code; institutions and
top-level areas point at them, which is how an import of this file tells each record's
country. Legislative periods are written as events. Dates keep their precision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import translation
from django_countries import countries

from contacts.loader import date_text
from contacts.models import (
    Area,
    ContactPoint,
    Identifier,
    Institution,
    Link,
    OtherName,
    Person,
    Position,
    Post,
)
from contacts.popolo import POPOLO_SCHEME, is_uuid

CONTACT_TYPES = {
    ContactPoint.Kind.EMAIL: "email",
    ContactPoint.Kind.PHONE: "voice",
    ContactPoint.Kind.FAX: "fax",
    ContactPoint.Kind.TWITTER: "twitter",
    ContactPoint.Kind.FACEBOOK: "facebook",
    ContactPoint.Kind.WEBSITE: "url",
    ContactPoint.Kind.CAPITAL_OFFICE: "address",
    ContactPoint.Kind.CONSTITUENCY_OFFICE: "address",
}
PERSON_FIELDS = (
    "name",
    "given_name",
    "family_name",
    "sort_name",
    "honorific_prefix",
    "honorific_suffix",
    "gender",
    "birth_date",
    "death_date",
    "biography",
    "image",
)


def _compact(record: dict) -> dict:
    """Leave out empty values: the schemas allow null, but absent reads better."""
    return {key: value for key, value in record.items() if value not in ("", None, [])}


def _chunks(values: Iterable, size: int = 5000) -> Iterable[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _children(model: type, owner: str, pks: set[int], fields: tuple[str, ...]) -> dict:
    found: dict[int, list[dict]] = defaultdict(list)
    for chunk in _chunks(sorted(pks)):
        rows = model.objects.filter(**{f"{owner}__in": chunk}).order_by("id")
        for row in rows.values(owner, *fields):
            found[row.pop(owner)].append(row)
    return found


def _contact_details(rows: list[dict]) -> list[dict]:
    details = []
    for row in rows:
        kind = row["kind"]
        label = row["label"]
        if kind == ContactPoint.Kind.CAPITAL_OFFICE:
            label = label or "Capital office"
        elif kind == ContactPoint.Kind.CONSTITUENCY_OFFICE:
            label = label or "Constituency office"
        details.append(
            _compact(
                {
                    "type": CONTACT_TYPES.get(kind, label or kind),
                    "value": row["value"],
                    "label": label,
                    "note": row["hours"] or row["note"],
                    "valid_from": row["valid_from"].isoformat() if row["valid_from"] else "",
                    "valid_until": row["valid_until"].isoformat() if row["valid_until"] else "",
                }
            )
        )
    return details


def _shared(owner: str, pks: set[int]) -> dict[str, dict]:
    """Identifiers, other names, links and contact details of people or institutions."""
    return {
        "identifiers": _children(Identifier, owner, pks, ("scheme", "value")),
        "other_names": _children(OtherName, owner, pks, ("name", "language", "note")),
        "links": _children(Link, owner, pks, ("url", "note")),
        "contact_details": _children(
            ContactPoint,
            owner,
            pks,
            ("kind", "value", "label", "hours", "note", "valid_from", "valid_until"),
        ),
    }


def _extras(shared: dict[str, dict], pk: int) -> dict:
    return {
        "identifiers": [
            {"scheme": row["scheme"], "identifier": row["value"]}
            for row in shared["identifiers"].get(pk, [])
        ],
        "other_names": [
            _compact({"name": row["name"], "lang": row["language"], "note": row["note"]})
            for row in shared["other_names"].get(pk, [])
        ],
        "links": [_compact(row) for row in shared["links"].get(pk, [])],
        "contact_details": _contact_details(shared["contact_details"].get(pk, [])),
    }


def person_ids(pks: set[int]) -> dict[int, str]:
    """A person's id in the file: their EveryPolitician UUID if they came with one."""
    ids = {pk: f"person/{pk}" for pk in pks}
    for chunk in _chunks(sorted(pks)):
        rows = Identifier.objects.filter(person_id__in=chunk, scheme=POPOLO_SCHEME).order_by("id")
        for pk, value in rows.values_list("person_id", "value"):
            if is_uuid(value) and ids[pk].startswith("person/"):
                ids[pk] = value
    return ids


def popolo_export(*, country: str | None = None) -> dict:
    """The whole directory, or one country's institutions with their people, as Popolo."""
    institutions = Institution.objects.all()
    if country:
        institutions = institutions.filter(country_id=country)
    institution_pks = set(institutions.values_list("pk", flat=True))
    positions = list(
        Position.objects.filter(institution_id__in=institution_pks)
        .order_by("id")
        .values(
            "id", "person_id", "institution_id", "role", "post_id", "post_label", "area_id",
            "party_id", "legislative_period", "start_date", "start_precision", "end_date",
            "end_precision",
        )
    )  # fmt: skip
    # Parties a member sits for belong in the file even when registered in another country.
    institution_pks |= {row["party_id"] for row in positions if row["party_id"]}
    if country:
        person_pks = {row["person_id"] for row in positions}
        areas = Area.objects.filter(
            Q(country_id=country) | Q(pk__in={row["area_id"] for row in positions})
        )
    else:
        person_pks = set(Person.objects.values_list("pk", flat=True))
        areas = Area.objects.all()
    ids = person_ids(person_pks)
    area_rows = list(areas.order_by("id").values("id", "name", "kind", "country_id", "parent_id"))
    institution_rows = list(
        Institution.objects.filter(pk__in=institution_pks).order_by("id").values(
            "id", "name", "kind", "country_id", "parent_id", "description", "seats",
            "founding_date", "dissolution_date",
        )
    )  # fmt: skip
    codes = {row["country_id"] for row in area_rows + institution_rows if row["country_id"]}
    return {
        "persons": _persons(person_pks, ids),
        "organizations": _organizations(institution_rows),
        "memberships": _memberships(positions, ids),
        "areas": _country_areas(codes) + _areas(area_rows),
        "posts": _posts(institution_pks),
        "events": _periods(positions),
    }


def _persons(pks: set[int], ids: dict[int, str]) -> list[dict]:
    shared = _shared("person_id", pks)
    people = []
    for chunk in _chunks(sorted(pks)):
        for row in Person.objects.filter(pk__in=chunk).order_by("id").values("id", *PERSON_FIELDS):
            pk = row.pop("id")
            people.append(_compact({"id": ids[pk], **row, **_extras(shared, pk)}))
    return people


def _organizations(rows: list[dict]) -> list[dict]:
    shared = _shared("institution_id", {row["id"] for row in rows})
    organizations = []
    for row in rows:
        organizations.append(
            _compact(
                {
                    "id": f"institution/{row['id']}",
                    "name": row["name"],
                    "classification": row["kind"],
                    "parent_id": f"institution/{row['parent_id']}" if row["parent_id"] else "",
                    "area_id": f"country/{row['country_id']}" if row["country_id"] else "",
                    "description": row["description"],
                    "seats": row["seats"],
                    "founding_date": date_text(row["founding_date"], "day"),
                    "dissolution_date": date_text(row["dissolution_date"], "day"),
                    **_extras(shared, row["id"]),
                }
            )
        )
    return organizations


def _country_areas(codes: set[str]) -> list[dict]:
    with translation.override("en"):
        names = dict(countries)
        return [
            {"id": f"country/{code}", "name": str(names[code]), "classification": "country",
             "identifier": code}
            for code in sorted(codes)
        ]  # fmt: skip


def _areas(rows: list[dict]) -> list[dict]:
    return [
        _compact(
            {
                "id": f"area/{row['id']}",
                "name": row["name"],
                "classification": row["kind"],
                "parent_id": f"area/{row['parent_id']}"
                if row["parent_id"]
                else f"country/{row['country_id']}",
            }
        )
        for row in rows
    ]


def _posts(institution_pks: set[int]) -> list[dict]:
    rows = Post.objects.filter(institution_id__in=institution_pks).order_by("id")
    return [
        _compact(
            {
                "id": f"post/{row['id']}",
                "label": row["label"],
                "role": row["role"],
                "organization_id": f"institution/{row['institution_id']}",
                "area_id": f"area/{row['area_id']}" if row["area_id"] else "",
            }
        )
        for row in rows.values("id", "label", "role", "institution_id", "area_id")
    ]


def _period_id(institution_pk: int, label: str) -> str:
    return f"period/{institution_pk}/{label}"


def _periods(positions: list[dict]) -> list[dict]:
    periods = sorted(
        {
            (row["institution_id"], row["legislative_period"])
            for row in positions
            if row["legislative_period"]
        }
    )
    return [
        {
            "id": _period_id(institution, label),
            "name": label,
            "classification": "legislative period",
            "organization_id": f"institution/{institution}",
        }
        for institution, label in periods
    ]


def _memberships(positions: list[dict], ids: dict[int, str]) -> list[dict]:
    return [
        _compact(
            {
                "id": f"membership/{row['id']}",
                "person_id": ids[row["person_id"]],
                "organization_id": f"institution/{row['institution_id']}",
                "role": row["role"],
                "label": "" if row["post_id"] else row["post_label"],
                "post_id": f"post/{row['post_id']}" if row["post_id"] else "",
                "on_behalf_of_id": f"institution/{row['party_id']}" if row["party_id"] else "",
                "area_id": f"area/{row['area_id']}" if row["area_id"] else "",
                "legislative_period_id": _period_id(
                    row["institution_id"], row["legislative_period"]
                )
                if row["legislative_period"]
                else "",
                "start_date": date_text(row["start_date"], row["start_precision"]),
                "end_date": date_text(row["end_date"], row["end_precision"]),
            }
        )
        for row in positions
    ]
