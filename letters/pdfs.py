"""Printed letters, with the shared PDF module (advocacy.pdf) and print stylesheet.

- `target_letters_pdf(target)`: every letter of the action to one target, one per page, each
  with its writer's name, organisation, role and address and the target's address block
  (the delivery task calls it on the day for printed letter days). A co-signed action gives
  its co-signed letter; an FOI request carries the statutory deadline.
- `targets_letters_pdfs(targets)`: the same for many targets of one action, laid out as one
  document and split by target: much faster than one WeasyPrint run per target.
- `combined_pdf(action)`: every target in one file for hand delivery, after a delivery list.
- `cosigned_pdf(target)`: the co-signed letter and the confirmed signatories who consented to
  be named; with constituency matching, only the target's own constituents (a signatory's
  area is the area of one of their current positions, or inside it).
- `letter_pdf(letter)`: one letter.

Each letter is laid out in its own language and direction (Arabic right to left) whatever
the language of the document around it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from advocacy import pdf
from contacts.models import Area, ContactPoint, Position
from letters import merge
from letters.models import ActionTarget, Letter, LetterAction, Signatory

LETTERS_TEMPLATE = "letters/pdf/letters.html"
REPORT_TEMPLATE = "letters/pdf/results.html"

# Letters that go on paper: approved and on their way, or already printed or delivered.
PRINTABLE = (
    Letter.State.READY,
    Letter.State.SCHEDULED,
    Letter.State.QUEUED,
    Letter.State.SENDING,
    Letter.State.PRINTED,
    Letter.State.SENT,
)
# How deep areas nest (country, region, county, constituency, ward...): a bound on the
# queries that find which areas lie inside a target's constituency.
MAX_AREA_DEPTH = 8


# What goes on the page ---------------------------------------------------------------------


@dataclass
class PrintLetter:
    letter: Letter | None
    language: str
    direction: str
    date: dt.date | None
    subject: str
    paragraphs: list[str]
    writer: list[str]
    foi_line: str = ""


@dataclass
class PrintTarget:
    target: ActionTarget
    recipient: list[str]
    letters: list[PrintLetter] = field(default_factory=list)
    # Co-signed letters: who is named under the letter, and how many more signed unnamed.
    signatories: list[Signatory] = field(default_factory=list)
    signatory_roles: list[tuple[str, int]] = field(default_factory=list)
    unnamed: int = 0

    @property
    def anchor(self) -> str:
        return f"target-{self.target.pk}"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _paragraphs(body: str) -> list[str]:
    """Paragraphs at blank lines; single line breaks stay (addresses, sign-offs)."""
    blocks = body.replace("\r\n", "\n").split("\n\n")
    return [block.strip("\n") for block in blocks if block.strip()]


def _letter_date(action: LetterAction, letter: Letter | None) -> dt.date:
    if action.deliver_on:
        return action.deliver_on
    if letter is not None and letter.sent_at:
        return timezone.localdate(letter.sent_at)
    return timezone.localdate()


def _organisation_lines(action: LetterAction) -> list[str]:
    organisation = action.organisation
    lines = [organisation.name, *_lines(organisation.address), organisation.email]
    return [line for line in [*lines, organisation.phone] if line]


def _writer_lines(action: LetterAction, signatory: Signatory | None) -> list[str]:
    if signatory is None:
        return _organisation_lines(action)
    lines = [signatory.name]
    where = ", ".join(part for part in (signatory.title, signatory.organisation_name) if part)
    if where:
        lines.append(where)
    role = str(signatory.get_role_display())
    if signatory.area_id and signatory.role == Signatory.Role.CONSTITUENT:
        role = _("Constituent, %(area)s") % {"area": signatory.area.name}
    lines.append(role)
    lines += _lines(signatory.address)
    return lines


def foi_line(action: LetterAction, *, sent_on: dt.date | None, due: dt.date | None) -> str:
    """The statutory deadline, as the request states it (in the active language)."""
    deadline = action.foi_deadline_rule
    if deadline is None:
        return ""
    if due is None and sent_on is not None:
        due = deadline.due(sent_on)
    if deadline.working_days:
        period = ngettext("%(days)d working day", "%(days)d working days", deadline.days) % {
            "days": deadline.days
        }
    else:
        period = ngettext("%(days)d day", "%(days)d days", deadline.days) % {"days": deadline.days}
    if action.foi_country_id:
        law = _(
            "This is a request for information under the access-to-information law of %(country)s."
        ) % {"country": action.foi_country.display_name}
    else:
        law = _("This is a request for information under the access-to-information law.")
    if due is not None:
        answer = _("The law gives %(period)s to answer: by %(date)s at the latest.") % {
            "period": period,
            "date": formats.date_format(due, "DATE_FORMAT"),
        }
    else:
        answer = _("The law gives %(period)s to answer.") % {"period": period}
    return f"{law} {answer}"


def _print_letter(
    action: LetterAction,
    letter: Letter | None,
    *,
    language: str,
    subject: str,
    body: str,
) -> PrintLetter:
    date = _letter_date(action, letter)
    with translation.override(language):
        writer = _writer_lines(action, letter.signatory if letter else None)
        line = ""
        if action.is_foi:
            line = foi_line(action, sent_on=date, due=letter.foi_deadline if letter else None)
    return PrintLetter(
        letter=letter,
        language=language,
        direction=pdf.text_direction(body or subject),
        date=date,
        subject=subject,
        paragraphs=_paragraphs(body),
        writer=writer,
        foi_line=line,
    )


def _recipient_lines(
    target: ActionTarget, values: dict[str, str], addresses: dict[int, list[str]]
) -> list[str]:
    person = target.person
    lines = [person.display_name]
    title = values.get("target.title", "")
    institution = values.get("target.institution", "")
    if title:
        lines.append(title)
    if institution and institution != title:
        lines.append(institution)
    return lines + addresses.get(person.pk, [])


def _postal_addresses(people: Sequence[int]) -> dict[int, list[str]]:
    """Each person's office address: the capital office, else the constituency office."""
    points = (
        ContactPoint.objects.current()
        .filter(
            person__in=people,
            kind__in=[ContactPoint.Kind.CAPITAL_OFFICE, ContactPoint.Kind.CONSTITUENCY_OFFICE],
        )
        .order_by("kind", "label", "pk")
    )
    found: dict[int, list[str]] = {}
    for point in points:  # capital_office sorts before constituency_office
        found.setdefault(point.person_id, _lines(point.value))
    return found


# Co-signed letters: who signs under which target ---------------------------------------------


def named_signatories(action: LetterAction) -> list[Signatory]:
    """Confirmed signatories who consented to be named, by role then name."""
    order = {role: number for number, role in enumerate(Signatory.Role.values)}
    rows = list(
        action.signatories.filter(email_confirmed_at__isnull=False, consent_named_at__isnull=False)
        .select_related("area")
        .order_by("name", "pk")
    )
    return sorted(rows, key=lambda s: order.get(s.role, len(order)))


def _ancestors(signatories: Iterable[Signatory]) -> dict[int, set[int]]:
    """For each signatory's area: itself and every area it lies inside."""
    parent: dict[int, int | None] = {}
    for signatory in signatories:
        if signatory.area_id:
            parent[signatory.area_id] = signatory.area.parent_id
    for _depth in range(MAX_AREA_DEPTH):
        missing = {p for p in parent.values() if p is not None and p not in parent}
        if not missing:
            break
        parent.update(Area.objects.filter(pk__in=missing).values_list("pk", "parent_id"))
    chains: dict[int, set[int]] = {}
    for area_id in {s.area_id for s in signatories if s.area_id}:
        chain, current = set(), area_id
        while current is not None and current not in chain:
            chain.add(current)
            current = parent.get(current)
        chains[area_id] = chain
    return chains


def _constituencies(people: Sequence[int]) -> dict[int, set[int]]:
    """The areas of each person's current positions (their own, not as an aide)."""
    areas: dict[int, set[int]] = {pk: set() for pk in people}
    rows = (
        Position.objects.current()
        .filter(person__in=people, to_person__isnull=True, area__isnull=False)
        .values_list("person_id", "area_id")
    )
    for person_id, area_id in rows:
        areas[person_id].add(area_id)
    return areas


def signatories_by_target(
    action: LetterAction, targets: Sequence[ActionTarget]
) -> dict[int, list[Signatory]]:
    """The named signatories under each target's letter (by ActionTarget pk): all of them,
    or with constituency matching only the target's constituents."""
    named = named_signatories(action)
    if not action.constituency_matching:
        return {target.pk: named for target in targets}
    chains = _ancestors(named)
    constituencies = _constituencies([target.person_id for target in targets])
    return {
        target.pk: [
            s for s in named if s.area_id and chains[s.area_id] & constituencies[target.person_id]
        ]
        for target in targets
    }


def signatures_by_person(
    action: LetterAction, people: Sequence[int]
) -> dict[int, tuple[list[Signatory], int]]:
    """For a co-signed letter going by email: who signs under each target's letter (by
    person id), and how many more support it without being named, as the printed letter
    lists them. A fixed number of queries."""
    targets = list(ActionTarget.objects.filter(action=action, person_id__in=people))
    under = signatories_by_target(action, targets)
    total = 0
    if not action.constituency_matching:
        total = action.signatories.filter(email_confirmed_at__isnull=False).count()
    return {
        target.person_id: (under[target.pk], max(total - len(under[target.pk]), 0))
        for target in targets
    }


def signatures_text(signatories: Sequence[Signatory], unnamed: int, action: LetterAction) -> str:
    """The signatures under a co-signed letter as plain text, in the active language."""
    count = len(signatories)
    lines = [
        ngettext("Signed by %(counter)s person", "Signed by %(counter)s people", count)
        % {"counter": count}
    ]
    for signatory in signatories:
        where = ", ".join(part for part in (signatory.title, signatory.organisation_name) if part)
        role = str(signatory.get_role_display())
        if signatory.area_id:
            role = f"{role}, {signatory.area.name}"
        lines.append(" – ".join(part for part in (signatory.name, where, role) if part))
    if not signatories:
        lines.append(
            _("None of their constituents has signed yet.")
            if action.constituency_matching
            else _("Nobody has signed yet.")
        )
    if unnamed:
        lines.append(
            ngettext(
                "And %(counter)s more person who supports this letter without being named.",
                "And %(counter)s more people who support this letter without being named.",
                unnamed,
            )
            % {"counter": unnamed}
        )
    return "\n".join(lines)


def _role_counts(signatories: Iterable[Signatory]) -> list[tuple[str, int]]:
    counts = Counter(s.get_role_display() for s in signatories)
    return [(str(role), count) for role, count in counts.items()]


# Assembling ------------------------------------------------------------------------------


def _load(targets: Iterable[ActionTarget]) -> list[ActionTarget]:
    if isinstance(targets, QuerySet):
        queryset = targets
    else:
        queryset = ActionTarget.objects.filter(pk__in=[target.pk for target in targets])
    return list(
        queryset.select_related(
            "person", "action__campaign", "action__organisation", "action__foi_country"
        ).order_by("person__sort_name", "person__name", "pk")
    )


def _cosigned_letter(
    action: LetterAction,
    target: ActionTarget,
    letter: Letter | None,
    values: dict[str, str],
    action_values: dict[str, str],
) -> PrintLetter | None:
    """The co-signed letter to a target: the one made at launch, or the template rendered
    for them before then."""
    if letter is not None:
        return _print_letter(
            action, letter, language=letter.language, subject=letter.subject, body=letter.body
        )
    template = action.template_for_person(target.person, settings.LANGUAGE_CODE)
    if template is None:
        return None
    subject, body = merge.letter_text(template, target=values, action=action_values)
    return _print_letter(action, None, language=template.language, subject=subject, body=body)


def print_targets(targets: Iterable[ActionTarget]) -> list[PrintTarget]:
    """Everything the letters document shows for these targets of one action, in a fixed
    number of queries however many targets and letters."""
    targets = _load(targets)
    if not targets:
        return []
    action = targets[0].action
    if any(target.action_id != action.pk for target in targets):
        raise ValueError("The targets of one action at a time.")
    for target in targets:
        target.action = action
    people = [target.person for target in targets]
    values = merge.target_values(people)
    addresses = _postal_addresses([person.pk for person in people])
    letters = (
        Letter.objects.filter(action=action, target__in=[p.pk for p in people])
        .filter(state__in=PRINTABLE)
        .select_related("signatory__area")
        .order_by("target_id", "signatory__name", "pk")
    )
    by_person: dict[int, list[Letter]] = {}
    for letter in letters:
        letter.action = action
        by_person.setdefault(letter.target_id, []).append(letter)

    printed: list[PrintTarget] = []
    if action.is_cosigned:
        action_values = merge.action_values(action)
        prefetch_related_objects([action], "templates")
        under = signatories_by_target(action, targets)
        every = action.signatories.filter(email_confirmed_at__isnull=False)
        total = every.count()
        for target in targets:
            letter = (by_person.get(target.person_id) or [None])[0]
            item = PrintTarget(
                target=target,
                recipient=_recipient_lines(target, values[target.person_id], addresses),
            )
            cosigned = _cosigned_letter(
                action, target, letter, values[target.person_id], action_values
            )
            if cosigned is not None:
                item.letters.append(cosigned)
            item.signatories = under[target.pk]
            item.signatory_roles = _role_counts(item.signatories)
            if not action.constituency_matching:
                item.unnamed = max(total - len(item.signatories), 0)
            printed.append(item)
        return printed

    for target in targets:
        item = PrintTarget(
            target=target, recipient=_recipient_lines(target, values[target.person_id], addresses)
        )
        for letter in by_person.get(target.person_id, []):
            item.letters.append(
                _print_letter(
                    action,
                    letter,
                    language=letter.language,
                    subject=letter.subject,
                    body=letter.body,
                )
            )
        printed.append(item)
    return printed


def _document_language(items: Sequence[PrintTarget]) -> str:
    """The language most letters are in: the document's own labels and direction."""
    languages = Counter(letter.language for item in items for letter in item.letters)
    if not languages:
        return translation.get_language() or settings.LANGUAGE_CODE
    return languages.most_common(1)[0][0]


def _layout(items: Sequence[PrintTarget], action: LetterAction, *, cover: bool):
    language = _document_language(items) if not cover else translation.get_language()
    context = {
        "action": action,
        "targets": items,
        "cover": cover,
        "letter_count": sum(len(item.letters) for item in items),
    }
    return pdf.document(LETTERS_TEMPLATE, context, language)


def targets_letters_pdfs(targets: Iterable[ActionTarget]) -> dict[int, bytes]:
    """One PDF per target (by ActionTarget pk), all laid out in one run and split by page."""
    items = print_targets(targets)
    if not items:
        return {}
    document = _layout(items, items[0].target.action, cover=False)
    return {int(key): data for key, data in pdf.split_at_anchors(document, "target-").items()}


def target_letters_pdf(target: ActionTarget) -> bytes:
    """Every letter of the action to this target, one per page (for a co-signed action, its
    co-signed letter with the signatories)."""
    items = print_targets([target])
    return _layout(items, items[0].target.action, cover=False).write_pdf()


def cosigned_pdf(target: ActionTarget) -> bytes:
    """The co-signed letter to this target, with the signatories named under it."""
    items = print_targets([target])
    if not items[0].target.action.is_cosigned:
        raise ValueError("Not a co-signed letter.")
    return _layout(items, items[0].target.action, cover=False).write_pdf()


def combined_pdf(action: LetterAction) -> bytes:
    """Every target's letters in one file for hand delivery, after a delivery list."""
    items = [item for item in print_targets(action.targets.all()) if item.letters]
    return _layout(items, action, cover=True).write_pdf()


def letter_pdf(letter: Letter) -> bytes:
    """One letter on its own, as it is printed."""
    letter = Letter.objects.select_related(
        "signatory__area", "action__campaign", "action__organisation", "action__foi_country"
    ).get(pk=letter.pk)
    action = letter.action
    target = ActionTarget.objects.filter(action=action, person=letter.target_id).first()
    if target is None:  # a letter to someone no longer among the targets
        target = ActionTarget(action=action, person=letter.target)
    target.action = action
    values = merge.target_values([letter.target])[letter.target_id]
    item = PrintTarget(
        target=target,
        recipient=_recipient_lines(target, values, _postal_addresses([letter.target_id])),
    )
    item.letters.append(
        _print_letter(
            action, letter, language=letter.language, subject=letter.subject, body=letter.body
        )
    )
    if action.is_cosigned and target.pk:
        item.signatories = signatories_by_target(action, [target])[target.pk]
        item.signatory_roles = _role_counts(item.signatories)
    return _layout([item], action, cover=False).write_pdf()


# The results report --------------------------------------------------------------------


def results_pdf(results, *, language: str) -> bytes:
    """The results of an action (letters.results.action_results) as a report."""
    context = {"results": results, "action": results.action, "today": timezone.localdate()}
    return pdf.render_pdf(REPORT_TEMPLATE, context, language=language).pdf


def results_filename(action: LetterAction) -> str:
    return pdf.pdf_filename("results", action.title, timezone.localdate().isoformat())


# File names --------------------------------------------------------------------------------


def _day(action: LetterAction) -> str:
    return (action.deliver_on or timezone.localdate()).isoformat()


def target_filename(target: ActionTarget) -> str:
    kind = "cosigned-letter" if target.action.is_cosigned else "letters"
    return pdf.pdf_filename(kind, _day(target.action), target.person.name)


def combined_filename(action: LetterAction) -> str:
    return pdf.pdf_filename("letters", _day(action), action.title, "all")


def letter_filename(letter: Letter) -> str:
    return pdf.pdf_filename("letter", _day(letter.action), letter.target.name, str(letter.pk))
