"""Free-text search over the directory.

Each person carries a `search_document`: their names, other names, roles, posts,
institutions, parties and areas, lower-cased with accents stripped in Python. PostgreSQL
indexes it as a `simple` tsvector (no stemming: names are not English words) and matches
every typed word as a prefix; SQLite, for `make run`, falls back to substring matching on
the same document. Stripping accents on both sides makes "Desire" find "Désiré" and
"Sao Tome" find "São Tomé".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from contacts.models import OtherName, Person, Position

WORD = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower-case, strip accents (é→e, ñ→n) and fold width; scripts like Arabic stay."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    return WORD.findall(normalise(text))


def person_refresh_search(person_ids: Iterable[int]) -> None:
    """Rebuild the search document of these people: call after any write that changes a
    name, other name or position. Works in batches; a few queries per thousand people."""
    ids = list(person_ids)
    if not ids:
        return
    parts: dict[int, list[str]] = {pk: [] for pk in ids}
    for person in Person.objects.filter(pk__in=ids).only(
        "name", "given_name", "family_name", "sort_name", "honorific_prefix"
    ):
        parts[person.pk] += [
            person.name,
            person.given_name,
            person.family_name,
            person.sort_name,
            person.honorific_prefix,
        ]
    for person_id, name in OtherName.objects.filter(person_id__in=ids).values_list(
        "person_id", "name"
    ):
        parts[person_id].append(name)
    positions = Position.objects.filter(person_id__in=ids).values_list(
        "person_id",
        "role",
        "post_label",
        "institution__name",
        "institution__short_name",
        "party__name",
        "party__short_name",
        "area__name",
    )
    for person_id, *texts in positions:
        parts[person_id] += texts
    documents = [
        Person(pk=pk, search_document=" ".join(dict.fromkeys(normalise(t) for t in texts if t)))
        for pk, texts in parts.items()
    ]
    Person.objects.bulk_update(documents, ["search_document"], batch_size=1000)
    if connection.vendor == "postgresql":
        Person.objects.filter(pk__in=ids).update(
            search_vector=SearchVector("search_document", config="simple")
        )


def search_people(people: QuerySet[Person], text: str) -> QuerySet[Person]:
    """People whose names, roles or institutions contain every typed word (as a prefix)."""
    terms = words(text)
    if not terms:
        return people
    if connection.vendor == "postgresql":
        # Each word as a prefix, all required: "nam ab" finds "Ababu Namwamba".
        raw = " & ".join(f"{term}:*" for term in terms)
        return people.filter(search_vector=SearchQuery(raw, config="simple", search_type="raw"))
    condition = Q()
    for term in terms:
        condition &= Q(search_document__contains=term)
    return people.filter(condition)
