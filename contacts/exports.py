"""The directory out: CSV in the import's columns, and vCard 3.0 for phones and mail clients.

Lists are streamed a chunk of people at a time (with their positions and contact points
prefetched per chunk), so exporting thousands of people neither holds them all in memory
nor keeps the browser waiting for the first byte.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from contacts import csv_import
from contacts.loader import date_text
from contacts.models import ContactPoint, Identifier, Person, Position

# The CSV import's documented header, so an exported list imports back unchanged.
CSV_HEADER = list(csv_import.COLUMNS)
MULTI_SEPARATOR = "; "
# People fetched (and prefetched) per database round trip while streaming.
CHUNK_SIZE = 500
# Filters worth keeping in the audit trail; paging is not one.
AUDITED_FILTERS = (
    "q",
    "country",
    "kind",
    "institution",
    "party",
    "committee",
    "role",
    "governing",
    "current",
    "campaign",
    "stance",
    "tag",
    "sort",
)


def filters_of(query: QueryDict) -> dict[str, str]:
    return {key: query[key] for key in AUDITED_FILTERS if query.get(key)}


def for_export(people: QuerySet[Person], *, current_only: bool = True) -> QuerySet[Person]:
    """People with everything a CSV row or a vCard needs, prefetched."""
    today = timezone.localdate()
    positions = Position.objects.select_related("institution", "party", "area")
    if current_only:
        positions = positions.current(today)
    positions = positions.order_by(
        F("end_date").desc(nulls_first=True), F("start_date").desc(nulls_last=True), "id"
    )
    contact_points = ContactPoint.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    ).order_by("kind", "label", "id")
    return people.prefetch_related(
        Prefetch("positions", queryset=positions, to_attr="export_positions"),
        Prefetch("contact_points", queryset=contact_points, to_attr="export_contact_points"),
        Prefetch(
            "identifiers",
            queryset=Identifier.objects.filter(scheme="wikidata"),
            to_attr="export_wikidata",
        ),
        "other_names",
        "links",
        "tags",
    )


def _values(person: Person, *kinds: str) -> list[str]:
    return [point.value for point in person.export_contact_points if point.kind in kinds]


# CSV

# A spreadsheet runs a cell that starts with one of these as a formula, so such a cell gets
# a leading quote. Phone numbers in international format ("+254 20 318 888") hold no name
# a formula could call, and stay as they are so that they import back.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[\d\s().+-]+$")


def safe_cell(value: object) -> str:
    """The value as a CSV cell a spreadsheet shows as text and never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _position_cells(position: Position | None) -> dict[str, str]:
    if position is None:
        return {}
    institution, area = position.institution, position.area
    return {
        "country": institution.country_id or (area.country_id if area else ""),
        "institution": institution.name,
        "institution_kind": institution.kind,
        "role": position.role,
        "post": position.post_label,
        "party": position.party.name if position.party else "",
        "area": area.name if area else "",
        "area_kind": area.kind if area else "",
        "start": date_text(position.start_date, position.start_precision),
        "end": date_text(position.end_date, position.end_precision),
    }


# Contact columns that hold one value each; a person's further phones, handles and sites
# go on rows of their own (the import reads rows with one id as one person).
SINGLE_CONTACT_COLUMNS = {
    "phone": ContactPoint.Kind.PHONE,
    "twitter": ContactPoint.Kind.TWITTER,
    "website": ContactPoint.Kind.WEBSITE,
}


def person_csv_rows(person: Person) -> Iterator[list[str]]:
    """A row per position (or one, without a position), each with every email and the
    first phone, handle and site; then a row for each further phone, handle or site."""
    person_cells = {
        "id": person.pk,
        "name": person.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "honorific_prefix": person.honorific_prefix,
        "gender": person.gender,
        "email": MULTI_SEPARATOR.join(_values(person, ContactPoint.Kind.EMAIL)),
        "wikidata": person.export_wikidata[0].value if person.export_wikidata else "",
    }
    singles = {column: _values(person, kind) for column, kind in SINGLE_CONTACT_COLUMNS.items()}
    first = {column: values[0] for column, values in singles.items() if values}
    positions = person.export_positions or [None]
    for position in positions:
        yield _csv_row(person_cells | _position_cells(position) | first)
    country = _position_cells(positions[0]).get("country", "")
    for column, values in singles.items():
        for value in values[1:]:
            yield _csv_row(person_cells | {"country": country, column: value})


def _csv_row(cells: dict[str, object]) -> list[str]:
    return [safe_cell(cells.get(column, "")) for column in CSV_HEADER]


def people_csv(people: QuerySet[Person]) -> Iterator[str]:
    """The CSV text in pieces: UTF-8 with a byte-order mark so spreadsheets read any script."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_HEADER)
    for number, person in enumerate(people.iterator(chunk_size=CHUNK_SIZE), start=1):
        writer.writerows(person_csv_rows(person))
        if number % 100 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# vCard 3.0 (RFC 2426), written by hand: the format is small and the app should not
# depend on a library to produce it (tests read it back with vobject).


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space; never
    split inside a character, so Arabic or Chinese names stay whole."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _property(name: str, *values: str, params: str = "") -> str:
    return _fold(f"{name}{params}:{';'.join(values)}")


def _card_lines(person: Person) -> Iterator[str]:
    yield "BEGIN:VCARD"
    yield "VERSION:3.0"
    yield _property("FN", _escape(person.display_name or person.name))
    family, given = person.family_name, person.given_name
    if not (family or given):
        family = person.name
    yield _property(
        "N",
        _escape(family),
        _escape(given),
        "",
        _escape(person.honorific_prefix),
        _escape(person.honorific_suffix),
    )
    # One line per name: readers (vobject among them) keep only the first of a
    # comma-separated list, and other names are often the same name in another script.
    for other in person.other_names.all():
        yield _property("NICKNAME", _escape(other.name))
    if person.export_positions:
        main = person.export_positions[0]
        yield _property("ORG", _escape(main.institution.name))
        if main.title:
            yield _property("TITLE", _escape(main.title))
        if len(person.export_positions) > 1:
            held = [_position_text(position) for position in person.export_positions]
            yield _property("NOTE", _escape("\n".join(held)))
    yield from _contact_lines(person)
    for link in person.links.all():
        yield _property("URL", _escape(link.url))
    tags = [tag.name for tag in person.tags.all()]
    if tags:
        yield _property("CATEGORIES", ",".join(_escape(tag) for tag in tags))
    yield _property("UID", _escape(_uid(person)))
    yield f"REV:{person.updated_at:%Y-%m-%dT%H:%M:%SZ}"
    yield "END:VCARD"


def _position_text(position: Position) -> str:
    parts = [position.title, position.institution.name]
    if position.party:
        parts.append(position.party.name)
    if position.area:
        parts.append(position.area.name)
    return " · ".join(part for part in parts if part)


# vCard TYPE parameters for each kind of contact point.
TEL_TYPES = {ContactPoint.Kind.PHONE: "WORK,VOICE", ContactPoint.Kind.FAX: "WORK,FAX"}
OFFICE_KINDS = (ContactPoint.Kind.CAPITAL_OFFICE, ContactPoint.Kind.CONSTITUENCY_OFFICE)
SOCIAL_KINDS = (
    ContactPoint.Kind.TWITTER,
    ContactPoint.Kind.FACEBOOK,
    ContactPoint.Kind.OTHER_SOCIAL,
)


def _contact_lines(person: Person) -> Iterable[str]:
    for point in person.export_contact_points:
        value = _escape(point.value)
        if point.kind == ContactPoint.Kind.EMAIL:
            yield _property("EMAIL", value, params=";TYPE=INTERNET")
        elif point.kind in TEL_TYPES:
            yield _property("TEL", value, params=f";TYPE={TEL_TYPES[point.kind]}")
        elif point.kind in OFFICE_KINDS:
            # The whole address sits in the street part: offices are typed as free text.
            yield _property("ADR", "", "", value, "", "", "", "", params=";TYPE=WORK")
            label = " — ".join(part for part in (point.value, point.hours) if part)
            yield _property("LABEL", _escape(label), params=";TYPE=WORK")
        elif point.kind == ContactPoint.Kind.WEBSITE:
            yield _property("URL", value)
        elif point.kind in SOCIAL_KINDS:
            yield _property("X-SOCIALPROFILE", value, params=f";TYPE={point.kind}")


def _uid(person: Person) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"person-{person.pk}@{host}"


def vcard(person: Person) -> str:
    """One card; the person must come from `for_export`."""
    return "\r\n".join(_card_lines(person)) + "\r\n"


def people_vcards(people: QuerySet[Person]) -> Iterator[str]:
    batch: list[str] = []
    for person in people.iterator(chunk_size=CHUNK_SIZE):
        batch.append(vcard(person))
        if len(batch) == 100:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


def vcard_filename(person: Person) -> str:
    # Keep any script (the header carries it encoded); drop what file systems refuse.
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", person.name).strip() or f"person-{person.pk}"
    return f"{name}.vcf"
