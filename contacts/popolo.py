"""Popolo JSON into the directory: read a file and check every record, then hand it to the
loader (contacts.loader), which matches it against the directory and writes it.

Reading keeps only what the directory models. `national_identity`, which EveryPolitician
files use for ethnicity, is never read, and is taken out of the copy an upload keeps.
Names: an honorific written into `name` ("Dr. James Nyikal") moves to `honorific_prefix`;
`other_names` keep their language. Contact details: an email field holding several
addresses run together is split into one contact point each; Twitter given as a URL is
reduced to the handle. Dates keep their precision: '2016' stays a year.

A person's id in the file is kept as an identifier with scheme "popolo" so that the next
import finds them. EveryPolitician ids are UUIDs, unique everywhere and stable across
versions of a legislature's file, so they are kept as they are; other ids are only unique
within their file and are kept as "<country>/<id>". Organisation, area and post ids are
not kept: EveryPolitician changed the Kenyan legislature's id between 2015 and 2018, and
every file calls its legislature "legislature"; they are matched on identifiers and names.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django_countries import countries

from contacts.imports import (
    CountryNeeded,
    ImportRejected,
    ImportResult,
    Progress,
    country_code,
    decode_text,
)
from contacts.loader import (
    AreaRecord,
    Dataset,
    DateValue,
    InstitutionRecord,
    MembershipRecord,
    PersonRecord,
    PostRecord,
    dataset_write,
    parse_date,
)
from contacts.models import ContactPoint, Institution, Person

POPOLO_SCHEME = "popolo"
# EveryPolitician writes "-" as the party of members the source lists with no party. It is
# not an organisation: such memberships are imported with no party (shown as none), since
# the source does not say whether "independent" or "unknown" is meant.
NO_PARTY = "-"
KIND_BY_CLASSIFICATION = {kind.value: kind.value for kind in Institution.Kind} | {
    "legislature": Institution.Kind.PARLIAMENT,
    "house": Institution.Kind.CHAMBER,
    "lower house": Institution.Kind.CHAMBER,
    "upper house": Institution.Kind.CHAMBER,
    "senate": Institution.Kind.CHAMBER,
    "political party": Institution.Kind.PARTY,
    "parliamentary group": Institution.Kind.PARTY,
    "subcommittee": Institution.Kind.COMMITTEE,
    "executive": Institution.Kind.GOVERNMENT,
    "cabinet": Institution.Kind.GOVERNMENT,
}
CONTACT_KINDS = {kind.value: kind.value for kind in ContactPoint.Kind} | {
    "voice": ContactPoint.Kind.PHONE,
    "cell": ContactPoint.Kind.PHONE,
    "mobile": ContactPoint.Kind.PHONE,
    "tel": ContactPoint.Kind.PHONE,
    "telephone": ContactPoint.Kind.PHONE,
    "url": ContactPoint.Kind.WEBSITE,
    "address": ContactPoint.Kind.CAPITAL_OFFICE,
    "x": ContactPoint.Kind.TWITTER,
}
LEGISLATIVE_PERIOD = {"legislative period", "legislative_period", "term"}

PLAIN_DATE = re.compile(r"^\d{4}(?:-\d{2}){0,2}$")
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
TWITTER_URL = re.compile(
    r"^(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:#!/)?@?([A-Za-z0-9_]+)", re.I
)
HONORIFIC = re.compile(
    r"^((?:(?:the\s+)?(?:rt\.?\s+)?"
    r"(?:hon|honourable|dr|prof|eng|rev|bishop|col|maj|gen|capt|lt|sir|dame|amb|mr|mrs|ms|mme)"
    r"\.?\s+(?:\((?:rtd|retd|retired)\.?\)\s+)?)+)(\S.*)$",
    re.IGNORECASE,
)
validate_url = URLValidator(schemes=["http", "https"])


# Values


def split_emails(text: str) -> list[str]:
    """'a@x.orgmailto:b@y.org; c@z.org' → three addresses, lower-cased, each once."""
    text = re.sub(r"mailto:", " ", text, flags=re.IGNORECASE)
    return list(dict.fromkeys(address.lower() for address in EMAIL.findall(text)))


def twitter_handle(text: str) -> str:
    """'https://twitter.com/AdamAfriyie', '@AdamAfriyie' and 'AdamAfriyie' → 'AdamAfriyie'."""
    text = text.strip()
    match = TWITTER_URL.match(text)
    if match:
        return match.group(1)
    return text.lstrip("@").strip()


def split_honorific(name: str) -> tuple[str, str]:
    """'Dr. James Nyikal' → ('Dr.', 'James Nyikal'); 'Col (Rtd) Ali Rasso Dido' → ('Col (Rtd)',
    'Ali Rasso Dido'). A name that is only an honorific is left alone."""
    match = HONORIFIC.match(name.strip())
    if not match:
        return "", name.strip()
    return match.group(1).strip(), match.group(2).strip()


def gender_value(text: str) -> str:
    text = text.strip().lower()
    if not text:
        return ""
    if text in {"male", "m", "man"}:
        return Person.Gender.MALE
    if text in {"female", "f", "woman"}:
        return Person.Gender.FEMALE
    return Person.Gender.OTHER


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "text"


def without_sensitive_fields(data: bytes) -> bytes:
    """The file less `national_identity` wherever it appears, for keeping a copy."""

    def clean(value: object) -> object:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k != "national_identity"}
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    parsed = json.loads(decode_text(data))
    return json.dumps(clean(parsed), ensure_ascii=False).encode()


# Reading


def load_json(data: bytes) -> dict:
    """The file as a Popolo object, or ImportRejected saying why not."""
    text = decode_text(data)
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRejected(
            _("The file is not valid JSON (line %(line)d, column %(column)d: %(problem)s).")
            % {"line": error.lineno, "column": error.colno, "problem": error.msg}
        ) from error
    collections = ("persons", "organizations", "memberships")
    if not isinstance(parsed, dict) or not any(name in parsed for name in collections):
        raise ImportRejected(
            _(
                "This is JSON but not Popolo: expected an object with persons, organizations "
                "and memberships."
            )
        )
    return parsed


class PopoloReader:
    """Checks a parsed Popolo file and turns it into a Dataset; problems go to the result."""

    def __init__(self, data: dict, *, country: str | None, result: ImportResult) -> None:
        self.data = data
        self.result = result
        self.default_country = country
        self.country_areas: dict[str, str] = {}
        self.area_items: dict[str, dict] = {}
        self.area_keys: set[str] = set()
        self.no_party: set[str] = set()
        self.periods: dict[str, tuple[str, DateValue | None, DateValue | None]] = {}
        self.dataset = Dataset()

    def read(self) -> Dataset:
        areas = self._collection("areas")
        self.area_items = {str(item.get("id")): item for _ref, item in areas}
        organizations = self._collection("organizations")
        self._find_countries(areas)
        for ref, item in areas:
            self._area(ref, item)
        # What a membership or post may name as its area.
        self.area_keys = set(self.dataset.areas) | set(self.country_areas)
        for ref, item in organizations:
            self._organization(ref, item)
        for ref, item in self._collection("events"):
            self._event(ref, item)
        for ref, item in self._collection("posts"):
            self._post(ref, item)
        person_items = self._collection("persons")
        memberships = self._collection("memberships")
        scopes = self._person_countries(memberships)
        for ref, item in person_items:
            self._person(ref, item, scopes)
        for ref, item in memberships:
            self._membership(ref, item)
        self._check_parents()
        return self.dataset

    # Helpers that report what is wrong with a field

    def _collection(self, name: str) -> list[tuple[str, dict]]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.result.error(f'field "{name}" must be a list, not {_json_type(value)}')
            return []
        items = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                items.append((self._ref(name, index, item), item))
            else:
                self.result.error(f"{name}[{index}]: must be an object, not {_json_type(item)}")
        return items

    @staticmethod
    def _ref(name: str, index: int, item: dict) -> str:
        record_id = item.get("id")
        if isinstance(record_id, str) and record_id:
            return f'{name}[{index}] (id "{record_id}")'
        return f"{name}[{index}]"

    def _text(
        self, item: dict, name: str, ref: str, *, required: bool = False, max_length: int = 0
    ) -> str:
        value = item.get(name)
        if value is None:
            if required:
                self.result.error(f'{ref}: field "{name}" is missing')
            return ""
        if not isinstance(value, str):
            self.result.error(f'{ref}: field "{name}" must be text, not {_json_type(value)}')
            return ""
        value = value.strip()
        if required and not value:
            self.result.error(f'{ref}: field "{name}" is empty')
        if max_length and len(value) > max_length:
            self.result.error(f'{ref}: field "{name}" is longer than {max_length} characters')
            return ""
        return value

    def _items(self, item: dict, name: str, ref: str) -> list[tuple[str, dict]]:
        value = item.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.result.error(f'{ref}: field "{name}" must be a list, not {_json_type(value)}')
            return []
        items = []
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                items.append((f"{name}[{index}]", entry))
            else:
                self.result.error(
                    f'{ref}: field "{name}[{index}]" must be an object, not {_json_type(entry)}'
                )
        return items

    def _date(self, item: dict, name: str, ref: str, *, end: bool = False) -> DateValue | None:
        text = self._text(item, name, ref)
        if not text:
            return None
        try:
            return parse_date(text, end=end)
        except ValueError:
            self.result.error(
                f'{ref}: field "{name}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD): "{text}"'
            )
            return None

    def _plain_date(self, item: dict, name: str, ref: str) -> str:
        """A person's birth or death date, kept as written ('1956', '1956-04')."""
        text = self._text(item, name, ref)
        if not text:
            return ""
        try:
            parse_date(text)
        except ValueError:
            text = ""
        if not PLAIN_DATE.match(text):
            self.result.error(
                f'{ref}: field "{name}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD): '
                f'"{item.get(name)}"'
            )
            return ""
        return text

    def _reference(self, item: dict, name: str, ref: str, known: Iterable[str], what: str) -> str:
        key = self._text(item, name, ref)
        if key and key not in known:
            self.result.error(f'{ref}: {name} "{key}" is not among the {what}')
            return ""
        return key

    # Shared parts of people and organisations

    def _identifiers(self, item: dict, ref: str) -> list[tuple[str, str]]:
        found = []
        for sub, entry in self._items(item, "identifiers", ref):
            value = self._text(entry, "identifier", f"{ref}: {sub}", required=True, max_length=300)
            scheme = self._text(entry, "scheme", f"{ref}: {sub}", max_length=60)
            if value and scheme:
                found.append((scheme, value))
        return list(dict.fromkeys(found))

    def _other_names(self, item: dict, ref: str) -> list[tuple[str, str, str]]:
        found = []
        for sub, entry in self._items(item, "other_names", ref):
            name = self._text(entry, "name", f"{ref}: {sub}", required=True, max_length=300)
            language = self._text(entry, "lang", f"{ref}: {sub}", max_length=20)
            note = self._text(entry, "note", f"{ref}: {sub}")[:200]
            if name:
                found.append((name, language, note))
        return list(
            {(name, language): (name, language, note) for name, language, note in found}.values()
        )

    def _links(self, item: dict, ref: str) -> list[tuple[str, str]]:
        found = {}
        for collection in ("links", "sources"):
            for sub, entry in self._items(item, collection, ref):
                url = self._text(entry, "url", f"{ref}: {sub}", required=True)
                note = self._text(entry, "note", f"{ref}: {sub}")[:200]
                if collection == "sources" and not note:
                    note = "source"
                if url and self._url_ok(url, f"{ref}: {sub}"):
                    found.setdefault(url, note)
        return list(found.items())

    def _url_ok(self, url: str, ref: str) -> bool:
        try:
            validate_url(url)
        except ValidationError:
            self.result.warn(f'{ref}: "{url[:100]}" is not a web address; left out')
            return False
        if len(url) > 1000:
            self.result.warn(f"{ref}: a web address longer than 1,000 characters; left out")
            return False
        return True

    def _contact_points(self, item: dict, ref: str) -> list[tuple[str, str, str]]:
        found = []
        for sub, entry in self._items(item, "contact_details", ref):
            kind_text = self._text(entry, "type", f"{ref}: {sub}", required=True)
            value = self._text(entry, "value", f"{ref}: {sub}", required=True)
            label = self._text(entry, "label", f"{ref}: {sub}")[:100]
            if kind_text and value:
                found += self._contact(kind_text, value, label, f"{ref}: {sub}")
        email = self._text(item, "email", ref)
        if email:
            found += self._contact("email", email, "", f'{ref}: field "email"')
        return list(dict.fromkeys(found))

    def _contact(self, kind_text: str, value: str, label: str, ref: str) -> list[tuple]:
        kind = CONTACT_KINDS.get(kind_text.lower())
        if kind is None:
            kind, label = ContactPoint.Kind.OTHER_SOCIAL, label or kind_text[:100]
        if kind == ContactPoint.Kind.CAPITAL_OFFICE and "constituency" in label.lower():
            kind = ContactPoint.Kind.CONSTITUENCY_OFFICE
        if kind == ContactPoint.Kind.EMAIL:
            addresses = split_emails(value)
            if not addresses:
                self.result.warn(f'{ref}: "{value[:100]}" holds no email address; left out')
            return [(kind, address, label) for address in addresses]
        if kind == ContactPoint.Kind.TWITTER:
            value = twitter_handle(value)
        if len(value) > 500:
            self.result.warn(f"{ref}: a contact longer than 500 characters; left out")
            return []
        return [(kind, value, label)] if value else []

    # Areas, organisations, periods, posts

    def _find_countries(self, areas: list[tuple[str, dict]]) -> None:
        """Areas of type country with an ISO code (as this app's export writes them) say
        which country the records that point at them belong to."""
        for _ref, item in areas:
            kind = item.get("classification") or item.get("type")
            code = item.get("identifier") or ""
            if kind == "country" and isinstance(code, str) and code.upper() in dict(countries):
                self.country_areas[str(item.get("id"))] = code.upper()
        if self.default_country is None and len(set(self.country_areas.values())) == 1:
            self.default_country = next(iter(self.country_areas.values()))

    def _country_for(self, area_key: str, ref: str) -> str:
        seen = set()
        key = area_key
        while key and key not in seen:
            if key in self.country_areas:
                return self.country_areas[key]
            seen.add(key)
            parent = self.area_items.get(key, {}).get("parent_id")
            key = parent if isinstance(parent, str) else ""
        if self.default_country is None:
            raise CountryNeeded(_("The file does not say which country it covers: choose one."))
        return self.default_country

    def _area(self, ref: str, item: dict) -> None:
        key = self._text(item, "id", ref, required=True)
        if key in self.country_areas:
            return
        name = self._text(item, "name", ref, required=True, max_length=200)
        kind = self._text(item, "classification", ref) or self._text(item, "type", ref)
        if key in self.dataset.areas:
            self.result.error(f'{ref}: id "{key}" appears twice among the areas')
            return
        if not (key and name):
            return
        self.dataset.areas[key] = AreaRecord(
            ref=ref,
            key=key,
            name=name,
            kind=kind[:60],
            country=self._country_for(key, ref),
            parent_key=self._text(item, "parent_id", ref),
        )

    def _organization(self, ref: str, item: dict) -> None:
        key = self._text(item, "id", ref, required=True)
        if key == NO_PARTY or (item.get("name") or "").strip() == NO_PARTY:
            self.no_party.add(key)
            return
        name = self._text(item, "name", ref, required=True, max_length=300)
        if key in self.dataset.institutions:
            self.result.error(f'{ref}: id "{key}" appears twice among the organizations')
            return
        classification = self._text(item, "classification", ref).lower()
        seats = item.get("seats")
        if seats is not None and (
            not isinstance(seats, int) or isinstance(seats, bool) or seats < 0
        ):
            self.result.error(
                f'{ref}: field "seats" must be a whole number, not {_json_type(seats)}'
            )
            seats = None
        fields: dict[str, object] = {
            "seats": seats,
            "description": self._text(item, "description", ref)
            or self._text(item, "abstract", ref),
        }
        for name_ in ("founding_date", "dissolution_date"):
            value = self._date(item, name_, ref, end=name_ == "dissolution_date")
            fields[name_] = value.value if value else None
        area_key = self._text(item, "area_id", ref)
        if not (key and name):
            return
        self.dataset.institutions[key] = InstitutionRecord(
            ref=ref,
            key=key,
            name=name,
            kind=KIND_BY_CLASSIFICATION.get(classification, Institution.Kind.OTHER),
            country=self._country_for(area_key, ref),
            fields=fields,
            identifiers=self._identifiers(item, ref),
            contact_points=self._contact_points(item, ref),
            other_names=self._other_names(item, ref),
            links=self._links(item, ref),
            parent_key=self._text(item, "parent_id", ref),
        )

    def _event(self, ref: str, item: dict) -> None:
        if self._text(item, "classification", ref).lower() not in LEGISLATIVE_PERIOD:
            return
        key = self._text(item, "id", ref, required=True)
        label = self._text(item, "name", ref) or key
        start = self._date(item, "start_date", ref)
        end = self._date(item, "end_date", ref, end=True)
        if key:
            self.periods[key] = (label[:100], start, end)

    def _post(self, ref: str, item: dict) -> None:
        key = self._text(item, "id", ref, required=True)
        label = self._text(item, "label", ref, required=True, max_length=200)
        institution = self._reference(
            item, "organization_id", ref, self.dataset.institutions, "organizations"
        )
        if not institution and "organization_id" not in item:
            self.result.error(f'{ref}: field "organization_id" is missing')
        area = self._reference(item, "area_id", ref, self.area_keys, "areas")
        if key and label and institution:
            self.dataset.posts[key] = PostRecord(
                ref=ref,
                key=key,
                label=label,
                role=self._text(item, "role", ref)[:100],
                institution_key=institution,
                area_key="" if area in self.country_areas else area,
            )

    # People and memberships

    def _person_countries(self, memberships: list[tuple[str, dict]]) -> dict[str, str]:
        """Each person's country, from their first membership: scopes ids that are not UUIDs."""
        scopes: dict[str, str] = {}
        for _ref, item in memberships:
            institution = self.dataset.institutions.get(str(item.get("organization_id")))
            if institution and isinstance(item.get("person_id"), str):
                scopes.setdefault(item["person_id"], institution.country)
        return scopes

    def _person(self, ref: str, item: dict, scopes: dict[str, str]) -> None:
        key = self._text(item, "id", ref, required=True)
        name = self._text(item, "name", ref, required=True, max_length=300)
        if key in self.dataset.persons:
            self.result.error(f'{ref}: id "{key}" appears twice among the persons')
            return
        # `national_identity` is deliberately not read: EveryPolitician files use it for
        # ethnicity, which the directory must not hold.
        honorific, name = split_honorific(name)
        given_honorific = self._text(item, "honorific_prefix", ref, max_length=60)
        if honorific and honorific.lower() not in given_honorific.lower():
            honorific = f"{given_honorific} {honorific}".strip()[:60]
        else:
            honorific = given_honorific
        fields = {
            "given_name": self._text(item, "given_name", ref, max_length=150),
            "family_name": self._text(item, "family_name", ref, max_length=150),
            "sort_name": self._text(item, "sort_name", ref, max_length=300),
            "honorific_prefix": honorific,
            "honorific_suffix": self._text(item, "honorific_suffix", ref, max_length=60),
            "gender": gender_value(self._text(item, "gender", ref)),
            "birth_date": self._plain_date(item, "birth_date", ref),
            "death_date": self._plain_date(item, "death_date", ref),
            "biography": self._text(item, "biography", ref) or self._text(item, "summary", ref),
            "image": self._image(item, ref),
        }
        if not (key and name):
            return
        if is_uuid(key):
            own_id = (POPOLO_SCHEME, key.lower())
        else:
            scope = scopes.get(key) or self.default_country
            if scope is None:
                raise CountryNeeded(_("The file does not say which country it covers: choose one."))
            own_id = (POPOLO_SCHEME, f"{scope}/{key}"[:300])
        identifiers = [own_id] + [pair for pair in self._identifiers(item, ref) if pair != own_id]
        self.dataset.persons[key] = PersonRecord(
            ref=ref,
            key=key,
            name=name,
            fields=fields,
            identifiers=identifiers,
            contact_points=self._contact_points(item, ref),
            other_names=self._other_names(item, ref),
            links=self._links(item, ref),
        )

    def _image(self, item: dict, ref: str) -> str:
        url = self._text(item, "image", ref)
        if not url:
            images = self._items(item, "images", ref)
            url = self._text(images[0][1], "url", f"{ref}: images[0]") if images else ""
        if url and len(url) <= 500 and self._url_ok(url, f'{ref}: field "image"'):
            return url
        return ""

    def _membership(self, ref: str, item: dict) -> None:
        person = self._text(item, "person_id", ref, required=True)
        if person and person not in self.dataset.persons:
            if not any(r.startswith("persons[") and f'"{person}"' in r for r in self.result.errors):
                self.result.error(f'{ref}: person_id "{person}" is not among the persons')
            return
        institution = self._text(item, "organization_id", ref, required=True)
        if institution and institution not in self.dataset.institutions:
            self.result.error(
                f'{ref}: organization_id "{institution}" is not among the organizations'
            )
            return
        party = self._text(item, "on_behalf_of_id", ref)
        if party in self.no_party:
            party = ""
        elif party and party not in self.dataset.institutions:
            self.result.error(f'{ref}: on_behalf_of_id "{party}" is not among the organizations')
        area = self._reference(item, "area_id", ref, self.area_keys, "areas")
        post = self._reference(item, "post_id", ref, self.dataset.posts, "posts")
        if post and not area:
            area = self.dataset.posts[post].area_key
        period_key = self._text(item, "legislative_period_id", ref)
        label, period_start, period_end = "", None, None
        if period_key:
            if period_key not in self.periods:
                self.result.error(
                    f'{ref}: legislative_period_id "{period_key}" is not among the events'
                )
            else:
                label, period_start, period_end = self.periods[period_key]
        start = self._date(item, "start_date", ref)
        end = self._date(item, "end_date", ref, end=True)
        if start and end and end.value < start.value:
            self.result.error(f'{ref}: field "end_date" is before "start_date"')
            return
        # A membership without dates of its own runs for its whole period.
        if start is None and period_start and not (end and end.value < period_start.value):
            start = period_start
        if end is None and period_end and not (start and period_end.value < start.value):
            end = period_end
        if not (person and institution):
            return
        if label:
            self.dataset.terms.setdefault((institution, label), period_end)
        self.dataset.memberships.append(
            MembershipRecord(
                ref=ref,
                person_key=person,
                institution_key=institution,
                role=self._text(item, "role", ref)[:100],
                label=self._text(item, "label", ref)[:200],
                party_key=party if party in self.dataset.institutions else "",
                area_key="" if area in self.country_areas else area,
                post_key=post,
                period=label,
                start=start,
                end=end,
            )
        )

    def _check_parents(self) -> None:
        for record in self.dataset.institutions.values():
            if record.parent_key and record.parent_key not in self.dataset.institutions:
                self.result.error(
                    f'{record.ref}: parent_id "{record.parent_key}" is not among the organizations'
                )
        for record in self.dataset.areas.values():
            if record.parent_key in self.country_areas:
                record.parent_key = ""
            elif record.parent_key and record.parent_key not in self.dataset.areas:
                self.result.error(
                    f'{record.ref}: parent_id "{record.parent_key}" is not among the areas'
                )


def popolo_import(
    data: bytes,
    *,
    country: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a Popolo JSON file; with dry_run, work out what would change and keep nothing.

    Raises ImportRejected for a file that cannot be read at all (not UTF-8, not JSON, not
    Popolo, no country); problems with records come back in the result, and then nothing
    is written."""
    parsed = load_json(data)
    result = ImportResult()
    reader = PopoloReader(parsed, country=country_code(country) if country else None, result=result)
    dataset = reader.read()
    result.found = dataset.found()
    if not result.ok:
        return result
    return dataset_write(dataset, result=result, dry_run=dry_run, progress=progress)
