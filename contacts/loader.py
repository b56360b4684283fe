"""The directory loader: match records read from a file against the directory, and write
them in one transaction. Popolo JSON (contacts.popolo) and CSV (contacts.csv_import) both
read their files into a Dataset and hand it here, so both follow the same rules.

Matching, so that importing the same file twice changes nothing and a newer file updates:
- people by identifier (the file's own id, kept as scheme "popolo", then Wikidata and the
  rest); from CSV also by the directory's own id, or by name within a country. Popolo
  people are never matched by name: two MPs may share one.
- institutions by identifier within their country, then by name and kind (a chamber and a
  parliament count as one kind); areas by country, type and name; posts by institution,
  label and area. Names compare without case, accents or extra spaces.
- positions within one person, institution and legislative period: the same values, else
  the same seat (role, post, area, party), else the same start, else the only one left.

Ending positions. A file covers the legislative periods its memberships name. A position
of a covered period (same institution, same period label) that the file no longer lists,
whether or not its holder is still in the file, has ended: it gets the period's end date
if the file gives one, else the day before the import: the file was made before it, so
that is the latest day the position can have been held as far as the directory knows,
and the position stops counting as current at once. Positions of periods the file does
not mention, and positions with no period (entered by hand, or from CSV), are never ended
by an import.
End dates the file gives (a membership's own, or its period's) are written as they are.

Records are added to, never taken away: contact points, identifiers, other names and links
already there stay, and an empty field in a file does not blank one someone filled in.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone, translation
from django_countries import countries

from contacts.imports import ImportResult, Progress
from contacts.models import (
    Area,
    ContactPoint,
    Country,
    DatePrecision,
    Identifier,
    Institution,
    Link,
    OtherName,
    Person,
    Position,
    Post,
)
from contacts.search import normalise, person_refresh_search

# Any number will do, as long as nothing else in the project takes this advisory lock.
IMPORT_LOCK = 7_300_301
BATCH = 1000
# Kinds that name the same thing for matching: a file's "legislature" is the "chamber"
# someone may have entered by hand.
KIND_FAMILY = {Institution.Kind.CHAMBER: Institution.Kind.PARLIAMENT}


# What a file says, once read and checked


@dataclass
class DateValue:
    """A Popolo date: a year, a year and month, or a day; kept with its precision."""

    value: dt.date
    precision: str


@dataclass
class PersonRecord:
    ref: str
    key: str
    name: str
    # Person fields by name; empty ones leave what the directory has.
    fields: dict[str, str]
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    contact_points: list[tuple[str, str, str]] = field(default_factory=list)  # kind, value, label
    other_names: list[tuple[str, str, str]] = field(default_factory=list)  # name, language, note
    links: list[tuple[str, str]] = field(default_factory=list)  # url, note
    # CSV only: a person already in the directory, by id; or match on name in this country.
    pk: int | None = None
    match_country: str = ""


@dataclass
class InstitutionRecord:
    ref: str
    key: str
    name: str
    kind: str
    country: str
    fields: dict[str, object] = field(default_factory=dict)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    contact_points: list[tuple[str, str, str]] = field(default_factory=list)
    other_names: list[tuple[str, str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    parent_key: str = ""


@dataclass
class AreaRecord:
    ref: str
    key: str
    name: str
    kind: str
    country: str
    parent_key: str = ""


@dataclass
class PostRecord:
    ref: str
    key: str
    label: str
    role: str
    institution_key: str
    area_key: str = ""


@dataclass
class MembershipRecord:
    ref: str
    person_key: str
    institution_key: str
    role: str = ""
    label: str = ""
    party_key: str = ""
    area_key: str = ""
    post_key: str = ""
    period: str = ""
    start: DateValue | None = None
    end: DateValue | None = None


@dataclass
class Dataset:
    """Records keyed by their id in the file, ready to be matched and written."""

    persons: dict[str, PersonRecord] = field(default_factory=dict)
    institutions: dict[str, InstitutionRecord] = field(default_factory=dict)
    areas: dict[str, AreaRecord] = field(default_factory=dict)
    posts: dict[str, PostRecord] = field(default_factory=dict)
    memberships: list[MembershipRecord] = field(default_factory=list)
    # (institution key, period label) → the period's end, if known: what the file covers.
    terms: dict[tuple[str, str], DateValue | None] = field(default_factory=dict)

    def found(self) -> dict[str, int]:
        return {
            "persons": len(self.persons),
            "organizations": len(self.institutions),
            "memberships": len(self.memberships),
            "areas": len(self.areas),
            "posts": len(self.posts),
        }


# Values

DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T\S*)?)?)?$")


def parse_date(text: str, *, end: bool = False) -> DateValue:
    """'2015', '2015-03' or '2015-03-28' (a time after the day is ignored). A year or month
    that ends a period stands for its last day, so "held on a day" compares simply."""
    match = DATE.match(text)
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) if part else None for part in match.groups())
    if day:
        return DateValue(dt.date(year, month, day), DatePrecision.DAY)
    if month:
        last = calendar.monthrange(year, month)[1] if end else 1
        return DateValue(dt.date(year, month, last), DatePrecision.MONTH)
    return DateValue(dt.date(year, 12, 31) if end else dt.date(year, 1, 1), DatePrecision.YEAR)


def date_text(value: dt.date | None, precision: str) -> str:
    """A date written back with the precision it came with: '2016', '2016-05', '2016-05-02'."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def name_key(text: str) -> str:
    """How names compare when matching: case, accents and spacing do not count."""
    return " ".join(normalise(text).split())


def dataset_write(
    dataset: Dataset,
    *,
    result: ImportResult,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Match the dataset against the directory and write it, all or nothing. A dry run
    goes through every step and then rolls back, so a preview counts exactly."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One import at a time: two at once would both create the people they both lack.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        writer = _Writer(dataset, result, progress, today or timezone.localdate())
        touched = writer.run()
        if not result.ok or dry_run:
            transaction.set_rollback(True)
        else:
            person_refresh_search(touched)
            writer.step(0)
    return result


class _Tally:
    """The outcome for each database row, counted once however many file records it took."""

    ORDER = {"unchanged": 0, "updated": 1, "created": 2}

    def __init__(self) -> None:
        self.outcomes: dict[object, str] = {}

    def mark(self, key: object, outcome: str) -> None:
        if self.ORDER[outcome] > self.ORDER[self.outcomes.get(key, "unchanged")] or (
            key not in self.outcomes
        ):
            self.outcomes[key] = outcome

    def add_to(self, result: ImportResult, kind: str) -> None:
        for outcome in ("created", "updated", "unchanged"):
            result.count(kind, outcome, sum(1 for o in self.outcomes.values() if o == outcome))


def _chunks(values: Iterable, size: int = 5000) -> Iterable[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _add_children(
    model: type,
    owner_field: str,
    key_fields: tuple[str, ...],
    wanted: dict[int, list[dict]],
) -> set[int]:
    """Add the contact points, identifiers, names or links each owner lacks; keep the rest.
    Returns the owners that gained something."""
    existing: set[tuple] = set()
    for owners in _chunks(wanted):
        existing.update(
            model.objects.filter(**{f"{owner_field}__in": owners}).values_list(
                owner_field, *key_fields
            )
        )
    new, gained = [], set()
    for owner, items in wanted.items():
        for item in items:
            key = (owner, *(item[name] for name in key_fields))
            if key not in existing:
                existing.add(key)
                new.append({owner_field: owner} | item)
                gained.add(owner)
    _insert(model, new)
    return gained


def _insert(model: type, rows: list[dict]) -> None:
    """Insert rows given as {attname: value}; unnamed fields take their default.

    A parliament's file brings tens of thousands of names, links and identifiers: on
    PostgreSQL they go in by COPY, twenty times faster than INSERT here; elsewhere (SQLite
    for `make run`) by executemany. Neither builds a model instance per row."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    values = ([row.get(f.attname, defaults[f.attname]) for f in fields] for row in rows)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values))


@dataclass
class _Row:
    """A position as the file wants it, or as the directory has it."""

    person_id: int
    institution_id: int
    legislative_period: str
    role: str = ""
    post_id: int | None = None
    post_label: str = ""
    area_id: int | None = None
    party_id: int | None = None
    start_date: dt.date | None = None
    start_precision: str = DatePrecision.DAY
    end_date: dt.date | None = None
    end_precision: str = DatePrecision.DAY
    pk: int | None = None
    ref: str = ""

    FIELDS = (
        "role",
        "post_id",
        "post_label",
        "area_id",
        "party_id",
        "start_date",
        "start_precision",
        "end_date",
        "end_precision",
    )

    def signature(self) -> tuple:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def seat(self) -> tuple:
        return (self.role, self.post_id, self.area_id, self.party_id)

    def group(self) -> tuple:
        return (self.person_id, self.institution_id, self.legislative_period)

    def values(self) -> dict:
        return {
            "person_id": self.person_id,
            "institution_id": self.institution_id,
            "legislative_period": self.legislative_period,
        } | {name: getattr(self, name) for name in self.FIELDS}


class _Writer:
    def __init__(
        self, dataset: Dataset, result: ImportResult, progress: Progress | None, today: dt.date
    ) -> None:
        self.ds = dataset
        self.result = result
        self.progress = progress
        self.today = today
        self.total = sum(dataset.found().values())
        self.done = 0
        self.area_pk: dict[str, int] = {}
        self.institution_pk: dict[str, int] = {}
        self.post_pk: dict[str, int] = {}
        self.person_pk: dict[str, int] = {}
        self.touched: set[int] = set()

    def step(self, records: int) -> None:
        self.done += records
        if self.progress:
            self.progress(self.done, self.total)

    def run(self) -> set[int]:
        self._countries()
        self._areas()
        self.step(len(self.ds.areas))
        self._institutions()
        self.step(len(self.ds.institutions))
        self._posts()
        self.step(len(self.ds.posts))
        self._people()
        self.step(len(self.ds.persons))
        if self.result.ok:
            self._positions()
        return self.touched

    def _countries(self) -> None:
        codes = {a.country for a in self.ds.areas.values()}
        codes |= {i.country for i in self.ds.institutions.values() if i.country}
        codes |= {p.match_country for p in self.ds.persons.values() if p.match_country}
        known = set(Country.objects.filter(code__in=codes).values_list("code", flat=True))
        with translation.override("en"):
            names = dict(countries)
            Country.objects.bulk_create(
                [Country(code=code, name=str(names[code])) for code in sorted(codes - known)]
            )

    # Areas

    def _areas(self) -> None:
        tally = _Tally()
        records = list(self.ds.areas.values())
        existing: dict[tuple, dict] = {}
        rows = Area.objects.filter(country_id__in={r.country for r in records}).order_by("id")
        for row in rows.values("id", "country_id", "kind", "name", "parent_id"):
            existing.setdefault(
                (row["country_id"], row["kind"].lower(), name_key(row["name"])), row
            )
        new: dict[tuple, Area] = {}
        for record in records:
            key = (record.country, record.kind.lower(), name_key(record.name))
            if key in existing:
                self.area_pk[record.key] = existing[key]["id"]
                tally.mark(existing[key]["id"], "unchanged")
            elif key not in new:
                new[key] = Area(name=record.name, kind=record.kind, country_id=record.country)
        Area.objects.bulk_create(list(new.values()), batch_size=BATCH)
        for record in records:
            key = (record.country, record.kind.lower(), name_key(record.name))
            if key in new:
                self.area_pk[record.key] = new[key].pk
                tally.mark(new[key].pk, "created")
        parents = {row["id"]: row["parent_id"] for row in existing.values()}
        moved = []
        for record in records:
            if not record.parent_key:
                continue
            pk, parent = self.area_pk[record.key], self.area_pk[record.parent_key]
            if parents.get(pk) != parent and pk != parent:
                parents[pk] = parent
                moved.append(Area(pk=pk, parent_id=parent))
                tally.mark(pk, "updated")
        Area.objects.bulk_update(moved, ["parent"], batch_size=BATCH)
        tally.add_to(self.result, "areas")

    # Institutions

    def _institutions(self) -> None:
        tally = _Tally()
        records = list(self.ds.institutions.values())
        codes = {r.country for r in records if r.country}
        rows = {
            row["id"]: row
            for row in Institution.objects.filter(country_id__in=codes).values(
                "id", "name", "kind", "country_id", "seats", "description",
                "founding_date", "dissolution_date", "parent_id",
            )
        }  # fmt: skip
        by_identifier: dict[tuple, int] = {}
        owner_of: dict[tuple[str, str], int] = {}
        values = {value for r in records for _s, value in r.identifiers}
        for chunk in _chunks(values):
            for scheme, value, pk in Identifier.objects.filter(
                institution__isnull=False, value__in=chunk
            ).values_list("scheme", "value", "institution_id"):
                owner_of[(scheme, value)] = pk
                if pk in rows:
                    by_identifier[(rows[pk]["country_id"] or "", scheme, value)] = pk
        by_name: dict[tuple, int] = {}
        for pk, row in sorted(rows.items()):
            kind = KIND_FAMILY.get(row["kind"], row["kind"])
            by_name.setdefault((row["country_id"] or "", kind, name_key(row["name"])), pk)
            # A CSV row that names an institution without its kind means any kind.
            by_name.setdefault((row["country_id"] or "", "", name_key(row["name"])), pk)
        # File records for the same institution (Kenya 2018 lists "Independent" twice) share
        # one new row; matched records share the existing one.
        new: dict[tuple, Institution] = {}
        target: dict[str, object] = {}
        for record in records:
            name = (
                record.country,
                KIND_FAMILY.get(record.kind, record.kind),
                name_key(record.name),
            )
            idents = [(record.country, scheme, value) for scheme, value in record.identifiers]
            pk = next((by_identifier[i] for i in idents if i in by_identifier), None)
            pk = pk or by_name.get(name)
            if pk:
                target[record.key] = pk
                continue
            shared = next((new[i] for i in [name, *idents] if i in new), None)
            if shared is None:
                shared = Institution(
                    name=record.name,
                    kind=record.kind or Institution.Kind.OTHER,
                    country_id=record.country or None,
                )
            for key in [name, *idents]:
                new.setdefault(key, shared)
            target[record.key] = shared
            self._institution_fields(shared, record, None, {})
        created = list({id(obj): obj for obj in new.values()}.values())
        Institution.objects.bulk_create(created, batch_size=BATCH)
        changed: dict[int, set[str]] = defaultdict(set)
        updates: dict[int, Institution] = {}
        for record in records:
            obj = target[record.key]
            if isinstance(obj, Institution):
                self.institution_pk[record.key] = obj.pk
                tally.mark(obj.pk, "created")
                updates.setdefault(obj.pk, obj)
                continue
            self.institution_pk[record.key] = obj
            row = rows[obj]
            instance = updates.setdefault(obj, Institution(pk=obj, **{
                name: row[name] for name in (
                    "name", "seats", "description", "founding_date", "dissolution_date"
                )
            }))  # fmt: skip
            self._institution_fields(instance, record, row, changed)
        for record in records:
            if record.parent_key:
                pk = self.institution_pk[record.key]
                parent = self.institution_pk[record.parent_key]
                current = rows[pk]["parent_id"] if pk in rows else None
                if parent != current and parent != pk:
                    updates[pk].parent_id = parent
                    changed[pk].add("parent")
        for fields in {frozenset(f) for f in changed.values()}:
            objects = [updates[pk] for pk, f in changed.items() if frozenset(f) == fields]
            Institution.objects.bulk_update(objects, list(fields), batch_size=BATCH)
        gained = self._institution_children(records, owner_of)
        for pk in set(self.institution_pk.values()):
            tally.mark(pk, "updated" if pk in changed or pk in gained else "unchanged")
        tally.add_to(self.result, "organizations")

    @staticmethod
    def _institution_fields(
        instance: Institution, record: InstitutionRecord, row: dict | None, changed: dict
    ) -> None:
        wanted = {k: v for k, v in record.fields.items() if v}
        # Renamed (found by identifier under another name); a change of case is not a rename.
        if name_key(instance.name) != name_key(record.name):
            wanted["name"] = record.name
        for name, value in wanted.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                if row is not None:
                    changed[instance.pk].add(name)

    def _institution_children(
        self, records: list[InstitutionRecord], owner_of: dict[tuple[str, str], int]
    ) -> set[int]:
        identifiers, names, links, contacts = (defaultdict(list) for _ in range(4))
        for record in records:
            pk = self.institution_pk[record.key]
            for scheme, value in record.identifiers:
                owner = owner_of.setdefault((scheme, value), pk)
                if owner == pk:
                    identifiers[pk].append({"scheme": scheme, "value": value})
                else:
                    # Wikidata has one item for "independent" in every country, but an
                    # identifier names one institution here: the first one keeps it.
                    self.result.warn(
                        f"{record.ref}: identifier {scheme}:{value} already names another "
                        "institution; not added"
                    )
            names[pk] += [
                {"name": n, "language": lang, "note": note} for n, lang, note in record.other_names
            ]
            links[pk] += [{"url": url, "note": note} for url, note in record.links]
            contacts[pk] += [
                {"kind": k, "value": v, "label": label} for k, v, label in record.contact_points
            ]
        return (
            _add_children(Identifier, "institution_id", ("scheme", "value"), identifiers)
            | _add_children(OtherName, "institution_id", ("name", "language"), names)
            | _add_children(Link, "institution_id", ("url",), links)
            | _add_children(ContactPoint, "institution_id", ("kind", "value"), contacts)
        )

    # Posts

    def _posts(self) -> None:
        tally = _Tally()
        holders: dict[str, set[str]] = defaultdict(set)
        for membership in self.ds.memberships:
            if membership.post_key:
                holders[membership.post_key].add(membership.person_key)
        rows = Post.objects.filter(institution_id__in=set(self.institution_pk.values()))
        existing = {
            (row["institution_id"], name_key(row["label"]), row["area_id"]): row
            for row in rows.values("id", "institution_id", "label", "area_id", "seats", "role")
        }
        new: dict[tuple, Post] = {}
        updates: dict[int, Post] = {}
        for record in self.ds.posts.values():
            institution = self.institution_pk[record.institution_key]
            area = self.area_pk.get(record.area_key)
            key = (institution, name_key(record.label), area)
            # A post such as "Women's Representative" may be held by many at once.
            seats = max(1, len(holders[record.key]))
            if key in existing:
                row = existing[key]
                self.post_pk[record.key] = row["id"]
                post = updates.setdefault(
                    row["id"], Post(pk=row["id"], seats=row["seats"], role=row["role"])
                )
                if seats > post.seats or (record.role and record.role != post.role):
                    post.seats, post.role = max(seats, post.seats), record.role or post.role
                    tally.mark(row["id"], "updated")
                else:
                    tally.mark(row["id"], "unchanged")
            else:
                post = new.setdefault(
                    key,
                    Post(
                        institution_id=institution,
                        label=record.label,
                        role=record.role,
                        area_id=area,
                    ),
                )
                post.seats = max(seats, post.seats or 1)
        Post.objects.bulk_create(list(new.values()), batch_size=BATCH)
        changed = [updates[pk] for pk, outcome in tally.outcomes.items() if outcome == "updated"]
        Post.objects.bulk_update(changed, ["seats", "role"], batch_size=BATCH)
        for record in self.ds.posts.values():
            key = (
                self.institution_pk[record.institution_key],
                name_key(record.label),
                self.area_pk.get(record.area_key),
            )
            if key in new:
                self.post_pk[record.key] = new[key].pk
                tally.mark(new[key].pk, "created")
        tally.add_to(self.result, "posts")

    # People

    PERSON_FIELDS = (
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

    def _people(self) -> None:
        records = list(self.ds.persons.values())
        owner_of: dict[tuple[str, str], int] = {}
        for chunk in _chunks({value for r in records for _s, value in r.identifiers}):
            for scheme, value, pk in Identifier.objects.filter(
                person__isnull=False, value__in=chunk
            ).values_list("scheme", "value", "person_id"):
                owner_of[(scheme, value)] = pk
        matched = self._match_people(records, owner_of)
        if not self.result.ok:
            return
        rows: dict[int, dict] = {}
        for chunk in _chunks(set(matched.values())):
            for row in Person.objects.filter(pk__in=chunk).values(
                "id", "name", *self.PERSON_FIELDS
            ):
                rows[row["id"]] = row
        tally = _Tally()
        new, changed = [], defaultdict(list)
        for record in records:
            pk = matched.get(record.key)
            if pk is None:
                person = Person(name=record.name, **{k: v for k, v in record.fields.items() if v})
                person.sort_name = person.sort_name or _sort_name(record)
                new.append((record, person))
                continue
            self.person_pk[record.key] = pk
            row = rows[pk]
            wanted = {"name": record.name} | {k: v for k, v in record.fields.items() if v}
            if not row["sort_name"] and not wanted.get("sort_name"):
                wanted["sort_name"] = _sort_name(record)
            fields = frozenset(name for name, value in wanted.items() if row[name] != value)
            if fields:
                changed[fields].append(Person(pk=pk, **{name: wanted[name] for name in fields}))
        Person.objects.bulk_create([person for _r, person in new], batch_size=BATCH)
        for record, person in new:
            self.person_pk[record.key] = person.pk
            tally.mark(person.pk, "created")
            self.touched.add(person.pk)
        for fields, people in changed.items():
            Person.objects.bulk_update(people, list(fields), batch_size=BATCH)
            self.touched.update(person.pk for person in people)
        gained = self._people_children(records, owner_of)
        self.touched |= gained
        for pk in matched.values():
            tally.mark(pk, "updated" if pk in self.touched else "unchanged")
        tally.add_to(self.result, "persons")

    def _match_people(
        self, records: list[PersonRecord], owner_of: dict[tuple[str, str], int]
    ) -> dict[str, int]:
        """File key → person already in the directory, for the records that have one."""
        known: set[int] = set()
        for chunk in _chunks({r.pk for r in records if r.pk}):
            known.update(Person.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        by_name = self._people_by_name(records)
        matched: dict[str, int] = {}
        claimed: dict[int, PersonRecord] = {}
        for record in records:
            if record.pk and record.pk not in known:
                self.result.error(f"{record.ref}: there is no person {record.pk} in the directory")
                continue
            pk = record.pk or next((owner_of[i] for i in record.identifiers if i in owner_of), None)
            if pk is None and record.match_country:
                candidates = by_name.get((record.match_country, name_key(record.name)), [])
                if len(candidates) > 1:
                    self.result.error(
                        f'{record.ref}: {len(candidates)} people called "{record.name}" hold '
                        f"positions in {record.match_country}; give the id of the one you mean"
                    )
                    continue
                pk = candidates[0] if candidates else None
            if pk is None:
                continue
            if pk in claimed:
                self.result.error(
                    f"{record.ref}: the same person as {claimed[pk].ref} (both match person "
                    f"{pk} in the directory)"
                )
                continue
            claimed[pk] = record
            matched[record.key] = pk
        return matched

    @staticmethod
    def _people_by_name(records: list[PersonRecord]) -> dict[tuple[str, str], list[int]]:
        """CSV rows without an id match a person of the same name with a position in the
        row's country, or with no position at all (whose country cannot be told)."""
        codes = {r.match_country for r in records if r.match_country and not r.pk}
        if not codes:
            return {}
        found: dict[tuple[str, str], set[int]] = defaultdict(set)
        positions = Position.objects.filter(institution__country_id__in=codes)
        for pk, name, code in positions.values_list(
            "person_id", "person__name", "institution__country_id"
        ).distinct():
            found[(code, name_key(name))].add(pk)
        for pk, name in Person.objects.filter(positions__isnull=True).values_list("id", "name"):
            for code in codes:
                found[(code, name_key(name))].add(pk)
        return {key: sorted(pks) for key, pks in found.items()}

    def _people_children(
        self, records: list[PersonRecord], owner_of: dict[tuple[str, str], int]
    ) -> set[int]:
        identifiers, names, links, contacts = (defaultdict(list) for _ in range(4))
        for record in records:
            pk = self.person_pk[record.key]
            for scheme, value in record.identifiers:
                owner = owner_of.setdefault((scheme, value), pk)
                if owner == pk:
                    identifiers[pk].append({"scheme": scheme, "value": value})
                else:
                    self.result.warn(
                        f"{record.ref}: identifier {scheme}:{value} already names another "
                        "person; not added"
                    )
            names[pk] += [
                {"name": name, "language": language, "note": note}
                for name, language, note in record.other_names
            ]
            links[pk] += [{"url": url, "note": note} for url, note in record.links]
            contacts[pk] += [
                {"kind": kind, "value": value, "label": label}
                for kind, value, label in record.contact_points
            ]
        return (
            _add_children(Identifier, "person_id", ("scheme", "value"), identifiers)
            | _add_children(OtherName, "person_id", ("name", "language"), names)
            | _add_children(Link, "person_id", ("url",), links)
            | _add_children(ContactPoint, "person_id", ("kind", "value"), contacts)
        )

    # Positions

    def _positions(self) -> None:
        wanted = self._wanted_positions()
        covered = {
            (self.institution_pk[key], label): end for (key, label), end in self.ds.terms.items()
        }
        existing = self._existing_positions(wanted, covered)
        tally = _Tally()
        new: list[_Row] = []
        changed: list[_Row] = []
        for group in wanted.keys() | existing.keys():
            pairs, gone, added = _pair(
                existing.get(group, []), wanted.get(group, []), loose=bool(group[2])
            )
            for old, row in pairs:
                row.pk = old.pk
                if old.signature() == row.signature():
                    tally.mark(old.pk, "unchanged")
                else:
                    changed.append(row)
                    tally.mark(old.pk, "updated")
            new += added
            for old in gone:
                if self._end(old, covered):
                    changed.append(old)
                    tally.mark(old.pk, "updated")
        now = timezone.now()
        _insert(Position, [row.values() | {"created_at": now, "updated_at": now} for row in new])
        for row in new:
            tally.mark(id(row), "created")
        Position.objects.bulk_update(
            [Position(pk=row.pk, **row.values()) for row in changed],
            list(_Row.FIELDS),
            batch_size=BATCH,
        )
        self.touched.update(row.person_id for row in new + changed)
        tally.add_to(self.result, "memberships")
        self.step(len(self.ds.memberships))

    def _wanted_positions(self) -> dict[tuple, list[_Row]]:
        posts = {key: record.label for key, record in self.ds.posts.items()}
        wanted: dict[tuple, list[_Row]] = defaultdict(list)
        seen: dict[tuple, str] = {}
        for membership in self.ds.memberships:
            start, end = membership.start, membership.end
            row = _Row(
                person_id=self.person_pk[membership.person_key],
                institution_id=self.institution_pk[membership.institution_key],
                legislative_period=membership.period,
                role=membership.role,
                post_id=self.post_pk.get(membership.post_key),
                post_label=posts.get(membership.post_key) or membership.label,
                area_id=self.area_pk.get(membership.area_key),
                party_id=self.institution_pk.get(membership.party_key),
                start_date=start.value if start else None,
                start_precision=start.precision if start else DatePrecision.DAY,
                end_date=end.value if end else None,
                end_precision=end.precision if end else DatePrecision.DAY,
                ref=membership.ref,
            )
            key = (row.group(), row.signature())
            if key in seen:
                self.result.warn(f"{membership.ref} repeats {seen[key]}; imported once")
                continue
            seen[key] = membership.ref
            wanted[row.group()].append(row)
        return wanted

    @staticmethod
    def _existing_positions(
        wanted: dict[tuple, list[_Row]], covered: dict[tuple[int, str], DateValue | None]
    ) -> dict[tuple, list[_Row]]:
        """Positions the file may match: its people's in its institutions, and everyone's in
        the periods it covers (those it no longer lists have ended)."""
        fields = ("id", "person_id", "institution_id", "legislative_period", *_Row.FIELDS)
        found: dict[int, dict] = {}
        institutions = {group[1] for group in wanted}
        for chunk in _chunks({group[0] for group in wanted}):
            positions = Position.objects.filter(
                person_id__in=chunk, institution_id__in=institutions
            )
            found.update((row["id"], row) for row in positions.values(*fields))
        if covered:
            positions = Position.objects.filter(
                institution_id__in={i for i, _label in covered},
                legislative_period__in={label for _i, label in covered},
            )
            for row in positions.values(*fields):
                if (row["institution_id"], row["legislative_period"]) in covered:
                    found[row["id"]] = row
        existing: dict[tuple, list[_Row]] = defaultdict(list)
        for row in found.values():
            position = _Row(pk=row.pop("id"), **row)
            existing[position.group()].append(position)
        return existing

    def _end(self, row: _Row, covered: dict[tuple[int, str], DateValue | None]) -> bool:
        """End a position its file no longer lists, if the file covers its period."""
        if (
            not row.legislative_period
            or (row.institution_id, row.legislative_period) not in covered
        ):
            return False
        period_end = covered[(row.institution_id, row.legislative_period)]
        end, precision = (
            (period_end.value, period_end.precision)
            if period_end
            else (self.today - dt.timedelta(days=1), DatePrecision.DAY)
        )
        if row.start_date and end < row.start_date:
            end, precision = row.start_date, DatePrecision.DAY
        if row.end_date is not None and row.end_date <= end:
            return False
        row.end_date, row.end_precision = end, precision
        return True


def _sort_name(record: PersonRecord) -> str:
    family, given = record.fields.get("family_name"), record.fields.get("given_name")
    return f"{family}, {given}" if family and given else record.name


def _pair(
    existing: list[_Row], wanted: list[_Row], *, loose: bool
) -> tuple[list, list[_Row], list[_Row]]:
    """Pair the positions a person has in one institution and period with those the file
    gives: same values first, then the same seat (role, post, area, party). Within a
    legislative period, which the file describes whole, also the same start, then the only
    ones left (a corrected constituency, say); outside one, a position entered by hand must
    not be taken for another. Returns pairs, the unmatched old, the unmatched new."""
    existing = sorted(existing, key=lambda row: (row.start_date or dt.date.min, row.pk))
    wanted = sorted(wanted, key=lambda row: row.start_date or dt.date.min)
    pairs = []
    rules = (
        (_Row.signature, _Row.seat, lambda row: row.start_date)
        if loose
        else (
            _Row.signature,
            _Row.seat,
        )
    )
    for same in rules:
        for row in list(wanted):
            key = same(row)
            old = next((e for e in existing if key is not None and same(e) == key), None)
            if old is not None:
                pairs.append((old, row))
                existing.remove(old)
                wanted.remove(row)
    if loose and len(existing) == 1 and len(wanted) == 1:
        pairs.append((existing.pop(), wanted.pop()))
    return pairs, existing, wanted
