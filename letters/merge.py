"""Merge fields in letters: a small whitelist renderer, never Django's template engine.

Authors write `Dear {{ target.honorific }} {{ target.family_name }},`. Only the fields in
FIELDS exist; anything else between braces (a misspelt field, a filter, a tag, a stray
brace) is an error the author sees before anything is saved or sent. Rendering only ever
substitutes plain strings, so a template can neither reach into objects nor run code.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.models import Institution, Person, Position


@dataclass(frozen=True)
class Field:
    name: str
    label: str | Promise
    example: str
    # Fields about the one person writing; a co-signed letter has many, so it can't use them.
    per_signatory: bool = False


FIELDS: dict[str, Field] = {
    field.name: field
    for field in (
        Field("target.full_name", _("Their full name"), "Jane Wanjiru"),
        Field("target.honorific", _("Their honorific"), "Hon."),
        Field("target.given_name", _("Their given name"), "Jane"),
        Field("target.family_name", _("Their family name"), "Wanjiru"),
        Field("target.title", _("Their role"), "Member of Parliament"),
        Field("target.institution", _("Their institution"), "National Assembly"),
        Field("target.constituency", _("Their constituency"), "Westlands"),
        Field("target.party", _("Their party"), "Green Party"),
        Field("target.country", _("Their country"), "Kenya"),
        Field("signatory.name", _("Your name"), "Amina Odhiambo", per_signatory=True),
        Field("signatory.organisation", _("Your organisation"), "Nairobi Peace Forum", True),
        Field("signatory.title", _("Your role there"), "Director", per_signatory=True),
        Field("signatory.constituency", _("Your constituency"), "Westlands", per_signatory=True),
        Field("action.title", _("The action's title"), "Ratify the treaty now"),
        Field("action.delivery_date", _("The delivery date"), "1 March 2027"),
        Field("campaign.name", _("The campaign"), "Ban landmines"),
    )
}

# Anything that looks like template syntax: {{ … }}, {% … %}, {# … #}.
_TAG = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_FIELD_NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")


@dataclass(frozen=True)
class MergeError:
    line: int
    message: str

    def __str__(self) -> str:
        return gettext("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, FIELDS, n=1, cutoff=0.6)
    return close[0] if close else ""


def find_errors(text: str, *, allow_signatory: bool = True) -> list[MergeError]:
    """Every problem with the merge fields in `text`, in the order they appear."""
    errors: list[MergeError] = []
    covered: list[tuple[int, int]] = []
    for match in _TAG.finditer(text):
        covered.append(match.span())
        line, raw = _line_of(text, match.start()), match.group(0)
        if match.group(1) is None:
            errors.append(
                MergeError(line, gettext("%(text)s is not a merge field.") % {"text": raw})
            )
            continue
        name = match.group(1).strip()
        if not _FIELD_NAME.match(name) or name not in FIELDS:
            suggestion = _suggest(name)
            if suggestion:
                message = gettext("Unknown field %(text)s. Did you mean {{ %(suggestion)s }}?") % {
                    "text": raw,
                    "suggestion": suggestion,
                }
            else:
                message = gettext("Unknown field %(text)s.") % {"text": raw}
            errors.append(MergeError(line, message))
        elif FIELDS[name].per_signatory and not allow_signatory:
            errors.append(
                MergeError(
                    line,
                    gettext("%(text)s can't be used: a co-signed letter has many signatories.")
                    % {"text": raw},
                )
            )
    # Braces left over outside any complete field: "{{ target.full_name }" and the like.
    for brace in re.finditer(r"\{\{|\}\}|\{%|%\}", text):
        if not any(start <= brace.start() < end for start, end in covered):
            errors.append(
                MergeError(
                    _line_of(text, brace.start()),
                    gettext("An unmatched %(brace)s: fields look like {{ target.full_name }}.")
                    % {"brace": brace.group(0)},
                )
            )
    errors.sort(key=lambda error: error.line)
    return errors


def empty_fields(texts: Iterable[str], values: Mapping[str, str]) -> list[Field]:
    """The known fields used in `texts` that have no value in `values` (so render() leaves
    them out), each once, in the order they first appear."""
    names = [
        match.group(1).strip()
        for text in texts
        for match in _TAG.finditer(text)
        if match.group(1) is not None
    ]
    empty = [name for name in dict.fromkeys(names) if name in FIELDS and not values.get(name)]
    return [FIELDS[name] for name in empty]


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with each field replaced by its value; a field without a value becomes empty,
    taking one neighbouring space with it so "Dear {{ target.honorific }} Smith" reads
    "Dear Smith". Call find_errors() first: unknown fields are left as they are."""

    def substitute(match: re.Match) -> str:
        if match.group(1) is None:
            return match.group(0)
        name = match.group(1).strip()
        if name not in FIELDS:
            return match.group(0)
        return str(values.get(name) or "")

    parts: list[str] = []
    position = 0
    for match in _TAG.finditer(text):
        value = substitute(match)
        before = text[position : match.start()]
        if not value and before.endswith(" ") and text[match.end() : match.end() + 1] in " ,.":
            before = before[:-1]
        parts.append(before)
        parts.append(value)
        position = match.end()
    parts.append(text[position:])
    return "".join(parts)


def example_values() -> dict[str, str]:
    return {name: field.example for name, field in FIELDS.items()}


# The values for real people --------------------------------------------------------------

# Positions that describe a target best, first: a seat in a legislature with its
# constituency, then a minister or officer in government, then anything else.
_RANK = {
    Institution.Kind.PARLIAMENT: 0,
    Institution.Kind.CHAMBER: 0,
    Institution.Kind.MINISTRY: 1,
    Institution.Kind.GOVERNMENT: 1,
    Institution.Kind.DEPARTMENT: 2,
    Institution.Kind.MISSION: 2,
    Institution.Kind.EMBASSY: 2,
}


def best_position(positions: list[Position]) -> Position | None:
    """Of a person's current positions (institutions loaded), the one that describes them
    best (see _RANK), one with an area before one without; a party membership never. The
    merge fields use it for title and constituency, targets for the time zone."""
    ranked = [p for p in positions if p.institution.kind != Institution.Kind.PARTY]
    if not ranked:
        return None
    return min(ranked, key=lambda p: (_RANK.get(p.institution.kind, 5), p.area_id is None))


def target_values(people: Iterable[Person]) -> dict[int, dict[str, str]]:
    """The `target.*` values of each person, by id, from their current positions: two
    queries however many people (letters to a whole parliament are rendered in bulk)."""
    people = list(people)
    positions: dict[int, list[Position]] = {person.pk: [] for person in people}
    rows = (
        Position.objects.current()
        .filter(person__in=[p.pk for p in people])
        .filter(Q(to_person__isnull=True))
        .select_related("institution__country", "area", "party")
        .order_by("pk")
    )
    for position in rows:
        positions[position.person_id].append(position)
    values: dict[int, dict[str, str]] = {}
    for person in people:
        held = positions[person.pk]
        best = best_position(held)
        party = next((p.party for p in held if p.party_id), None)
        country = best.institution.country if best and best.institution.country_id else None
        values[person.pk] = {
            "target.full_name": person.name,
            "target.honorific": person.honorific_prefix,
            "target.given_name": person.given_name or person.name.split(" ")[0],
            "target.family_name": person.family_name or person.name.split(" ")[-1],
            "target.title": (best.role or best.post_label) if best else "",
            "target.institution": best.institution.name if best else "",
            "target.constituency": best.area.name if best and best.area_id else "",
            "target.party": party.name if party else "",
            "target.country": country.display_name if country else "",
        }
    return values


def action_values(action) -> dict[str, str]:
    """The `action.*` and `campaign.*` values (the campaign must be loaded)."""
    delivery = formats.date_format(action.deliver_on, "DATE_FORMAT") if action.deliver_on else ""
    return {
        "action.title": action.title,
        "action.delivery_date": delivery,
        "campaign.name": action.campaign.name,
    }


def signatory_values(signatory) -> dict[str, str]:
    """The `signatory.*` values (its area must be loaded, or be empty)."""
    if signatory is None:
        return {}
    return {
        "signatory.name": signatory.name,
        "signatory.organisation": signatory.organisation_name,
        "signatory.title": signatory.title,
        "signatory.constituency": signatory.area.name if signatory.area_id else "",
    }


def letter_text(
    template,
    *,
    target: Mapping[str, str],
    action: Mapping[str, str],
    signatory: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """(subject, body) of `template` (a LetterTemplate) for one target and writer, from
    the value dicts above."""
    values = {**action, **target, **(signatory or {})}
    return render(template.subject, values), render(template.body, values)
