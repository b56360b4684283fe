"""What goes into a meeting's documents, and their rendering.

- The leave-behind brief: content defaulted from the campaign (key messages, asks, facts in
  the brief's language when there are any) and the meeting (its ask, the policy hooks of the
  institutions met), edited as plain lines, then rendered to at most two pages and kept.
- The meeting pack (internal, marked confidential on every page): the dossier, the checklist,
  the questions.
- The meeting report, for sharing: objective, outcome, commitments and follow-ups only.

No document carries a meeting's notes: off-the-record parts are marked in the notes, so
leaving the notes out is what keeps them out of every PDF.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy import pdf
from advocacy.models import Organisation, User
from campaigns.models import PolicyHook
from contacts.models import Institution, Position
from meetings import services
from meetings.dossier import dossier
from meetings.models import Brief, Commitment, Meeting, MeetingAttendee

MAX_PAGES = 2
MAX_MESSAGES = 5
MAX_FACTS = 6
MAX_CONTACT_LINES = 8
BRIEF_TEMPLATE = "pdf/brief.html"
PACK_TEMPLATE = "pdf/meeting_pack.html"
REPORT_TEMPLATE = "pdf/meeting_report.html"


# The meeting's people and places


def meeting_date(meeting: Meeting):
    """The day of the meeting where it takes place."""
    return timezone.localtime(meeting.starts_at, meeting.zone).date()


def their_attendees(meeting: Meeting) -> list[MeetingAttendee]:
    current = Position.objects.current().select_related("institution")
    return list(
        meeting.attendees.select_related("person", "institution").prefetch_related(
            Prefetch("person__positions", queryset=current, to_attr="current_positions")
        )
    )


def _institutions(attendees: list[MeetingAttendee]) -> list[Institution]:
    """The institutions met: those attendees represented, else where they hold a post now."""
    found: dict[int, Institution] = {}
    for attendee in attendees:
        if attendee.institution:
            found.setdefault(attendee.institution.pk, attendee.institution)
        elif attendee.person:
            for position in attendee.person.current_positions:
                found.setdefault(position.institution.pk, position.institution)
    return list(found.values())


def _target_label(attendees: list[MeetingAttendee], meeting: Meeting) -> str:
    for attendee in attendees:
        if attendee.person:
            return attendee.person.display_name
    for attendee in attendees:
        return str(attendee.institution)
    return meeting.title


# The leave-behind brief: defaults


def _in_language(rows: list, language: str) -> list:
    """The rows in the brief's language when there are any; else those in the language of the
    campaign's first row, its working language."""
    chosen = [row for row in rows if row.language == language]
    if chosen or not rows:
        return chosen
    return [row for row in rows if row.language == rows[0].language]


def contact_lines(organisation: Organisation) -> list[str]:
    address = [line.strip() for line in organisation.address.splitlines() if line.strip()]
    lines = [organisation.name, *address, organisation.phone, organisation.email]
    lines.append(organisation.website)
    return [line for line in lines if line][:MAX_CONTACT_LINES]


def brief_defaults(meeting: Meeting, language: str) -> dict:
    """A first draft: the meeting's ask, the campaign's messages and facts, the hooks of the
    institutions met, and the organisation's contact details."""
    campaign = meeting.campaign
    content = {
        "title": campaign.name if campaign else meeting.title,
        "ask": meeting.ask.strip(),
        "messages": [],
        "facts": [],
        "hook": "",
        "contact": contact_lines(meeting.organisation),
    }
    if campaign is None:
        return content
    if not content["ask"]:
        asks = _in_language(list(campaign.asks.all()), language)
        content["ask"] = asks[0].text if asks else ""
    messages = _in_language(list(campaign.key_messages.all()), language)
    content["messages"] = [message.text for message in messages[:MAX_MESSAGES]]
    facts = _in_language(list(campaign.facts.all()), language)
    content["facts"] = [
        {"statement": fact.statement, "source": fact.source_name, "url": fact.source_url}
        for fact in facts[:MAX_FACTS]
    ]
    institutions = _institutions(their_attendees(meeting))
    hooks = PolicyHook.objects.filter(campaign=campaign, institution__in=institutions)
    content["hook"] = "\n\n".join(hook.hook for hook in hooks)
    return content


# The leave-behind brief: editing


def _paragraphs(value: str) -> list[str]:
    return [" ".join(part.split()) for part in value.split("\n\n") if part.strip()]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class BriefLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the brief"), choices=settings.LANGUAGES)


class BriefForm(forms.Form):
    """The brief's content as plain text, one item per line: reorder lines to reorder items,
    delete a line to drop one. Works on a phone, without JavaScript."""

    title = forms.CharField(label=_("Title"), max_length=200)
    ask = forms.CharField(
        label=_("The ask"),
        max_length=700,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What are we asking them to do? It comes first, in a box."),
    )
    messages = forms.CharField(
        label=_("Key messages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One message per line, in the order you want them; three to five work best."),
    )
    facts = forms.CharField(
        label=_("Facts and figures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line: the fact, then | and its source, then | and a link to the source. "
            "For example: 20 states have ratified | Treaty Monitor 2026 | https://example.org"
        ),
    )
    hook = forms.CharField(
        label=_("Why it matters to them"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The policy hook for this institution."),
    )
    contact = forms.CharField(
        label=_("Contact details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One line each: organisation, address, phone, email, website."),
    )

    def __init__(self, *args, language: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if language:
            # Typed in the brief's language: Arabic fields start from the right.
            for field in self.fields.values():
                field.widget.attrs.update(lang=language, dir="auto")

    @classmethod
    def initial_from(cls, content: dict) -> dict:
        facts = [
            " | ".join(part for part in (f["statement"], f["source"], f["url"]) if part)
            for f in content.get("facts", [])
        ]
        return {
            "title": content.get("title", ""),
            "ask": content.get("ask", ""),
            "messages": "\n".join(content.get("messages", [])),
            "facts": "\n".join(facts),
            "hook": content.get("hook", ""),
            "contact": "\n".join(content.get("contact", [])),
        }

    def clean_messages(self) -> list[str]:
        messages = _lines(self.cleaned_data["messages"])
        if len(messages) > MAX_MESSAGES:
            raise ValidationError(
                _("Keep to %(count)d messages at most, so the brief stays short."),
                params={"count": MAX_MESSAGES},
            )
        for number, message in enumerate(messages, start=1):
            if len(message) > 500:
                raise ValidationError(
                    _("Message %(number)d is too long: keep each under 500 characters."),
                    params={"number": number},
                )
        return messages

    def clean_facts(self) -> list[dict]:
        facts = []
        for number, line in enumerate(_lines(self.cleaned_data["facts"]), start=1):
            statement, _bar, rest = line.partition("|")
            source, _bar, url = rest.partition("|")
            statement, source, url = statement.strip(), source.strip(), url.strip()
            if not url and source.startswith(("http://", "https://")):
                source, url = "", source  # "fact | https://…": a link with no source name
            if url:
                try:
                    URLValidator(schemes=["http", "https"])(url)
                except ValidationError:
                    raise ValidationError(
                        _("Line %(number)d: the link should start with https://"),
                        params={"number": number},
                    ) from None
            if not statement or len(statement) > 500:
                raise ValidationError(
                    _("Line %(number)d: write the fact first, in under 500 characters."),
                    params={"number": number},
                )
            facts.append({"statement": statement, "source": source, "url": url})
        if len(facts) > MAX_FACTS:
            raise ValidationError(
                _("Keep to %(count)d facts at most."), params={"count": MAX_FACTS}
            )
        return facts

    def clean_contact(self) -> list[str]:
        lines = _lines(self.cleaned_data["contact"])
        if len(lines) > MAX_CONTACT_LINES:
            raise ValidationError(
                _("Keep to %(count)d lines."), params={"count": MAX_CONTACT_LINES}
            )
        return lines

    def content(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"].strip(),
            "ask": data["ask"].strip(),
            "messages": data["messages"],
            "facts": data["facts"],
            "hook": data["hook"].strip(),
            "contact": data["contact"],
        }


@transaction.atomic
def brief_start(*, meeting: Meeting, language: str, created_by: User) -> Brief:
    """The meeting's leave-behind in this language: the one already started, or a new draft."""
    brief = meeting.briefs.filter(kind=Brief.Kind.LEAVE_BEHIND, language=language).first()
    if brief is None:
        brief = Brief(
            meeting=meeting,
            kind=Brief.Kind.LEAVE_BEHIND,
            language=language,
            content=brief_defaults(meeting, language),
            created_by=created_by,
        )
        brief.full_clean()
        brief.save()
    return brief


@transaction.atomic
def brief_update(*, brief: Brief, content: dict) -> None:
    """Save edited content; the PDF is made again once the change is committed."""
    from meetings import tasks

    brief.content = content
    brief.save(update_fields=["content", "updated_at"])
    # Robust: with the broker down the edit is still saved; downloading then renders it.
    transaction.on_commit(lambda: tasks.brief_render.delay(brief.pk), robust=True)


# The leave-behind brief: rendering


def brief_is_current(brief: Brief) -> bool:
    """The kept PDF shows the content as last saved."""
    return (
        bool(brief.pdf) and brief.rendered_at is not None and brief.rendered_at >= brief.updated_at
    )


def brief_filename(brief: Brief, attendees: list[MeetingAttendee] | None = None) -> str:
    meeting = brief.meeting
    if attendees is None:
        attendees = their_attendees(meeting)
    return pdf.pdf_filename(
        "brief",
        meeting_date(meeting).isoformat(),
        _target_label(attendees, meeting),
        brief.language,
    )


def _brief_context(brief: Brief, attendees: list[MeetingAttendee]) -> dict:
    meeting = brief.meeting
    content = brief.content
    return {
        "content": content,
        "meeting": meeting,
        "organisation": meeting.organisation,
        "attendees": attendees,
        "date": meeting_date(meeting),
        "messages": content.get("messages", []),
        "facts": content.get("facts", []),
        "contact": content.get("contact", []),
        "hook": _paragraphs(content.get("hook", "")),
    }


def brief_pdf(brief: Brief) -> tuple[pdf.Rendered, str]:
    """The brief as a PDF of at most two pages, and its file name."""
    attendees = their_attendees(brief.meeting)
    rendered = pdf.render_pdf(
        BRIEF_TEMPLATE,
        _brief_context(brief, attendees),
        language=brief.language,
        max_pages=MAX_PAGES,
    )
    return rendered, brief_filename(brief, attendees)


def brief_render(*, brief: Brief) -> bool:
    """Render the brief and keep the PDF with the meeting.

    Kept only if the content was not edited while rendering (a later render will keep that
    one); returns whether it was kept. The file it replaces is removed.
    """
    brief = Brief.objects.select_related("meeting__organisation").get(pk=brief.pk)
    edited_at = brief.updated_at
    rendered, filename = brief_pdf(brief)
    old_name = brief.pdf.name
    brief.pdf.save(filename, ContentFile(rendered.pdf), save=False)
    content = {**brief.content, "fit": rendered.fit, "pages": rendered.pages}
    # Unchanged since it was read: a queryset update leaves updated_at alone, so the PDF counts
    # as current until the next edit.
    kept = Brief.objects.filter(pk=brief.pk, updated_at=edited_at).update(
        pdf=brief.pdf.name, rendered_at=timezone.now(), content=content
    )
    unused = old_name if kept else brief.pdf.name
    # The storage gives the new file the old one's name when that is free again.
    if unused and old_name != brief.pdf.name:
        brief.pdf.storage.delete(unused)
    return bool(kept)


# The meeting pack (internal)


def pack_context(meeting: Meeting, user: User) -> dict:
    """The meeting pack shows the dossier the meeting page shows (meetings.dossier): as the
    user may see it, and never anyone's notes."""
    return {
        "meeting": meeting,
        "attendees": their_attendees(meeting),
        "our_attendees": list(meeting.our_attendees.all()),
        "checklist": list(meeting.checklist.select_related("done_by")),
        "questions": _lines(meeting.questions),
        "dossier": dossier(meeting, user),
        "date": meeting_date(meeting),
    }


def pack_pdf(meeting: Meeting, user: User, language: str) -> tuple[bytes, str]:
    context = pack_context(meeting, user)
    rendered = pdf.render_pdf(PACK_TEMPLATE, context, language=language)
    label = _target_label(context["attendees"], meeting)
    filename = pdf.pdf_filename("meeting-pack", context["date"].isoformat(), label)
    return rendered.pdf, filename


# The meeting report (for sharing)


def report_context(meeting: Meeting) -> dict:
    """What the meeting's outcome report shows (as the shared page does): the stance they
    were judged to hold after it, without the note behind the judgement."""
    commitments = list(meeting.commitments.select_related("person"))
    stance_changes = services.meeting_stance_changes(meeting).select_related(
        "person", "institution"
    )
    return {
        "stance_changes": list(stance_changes),
        "meeting": meeting,
        "attendees": their_attendees(meeting),
        "date": meeting_date(meeting),
        "theirs": [c for c in commitments if c.by == Commitment.By.THEM],
        "ours": [c for c in commitments if c.by == Commitment.By.US],
        "follow_ups": list(meeting.follow_ups.select_related("owner", "person")),
    }


def report_pdf(meeting: Meeting, language: str) -> tuple[bytes, str]:
    context = report_context(meeting)
    rendered = pdf.render_pdf(REPORT_TEMPLATE, context, language=language)
    label = _target_label(context["attendees"], meeting)
    filename = pdf.pdf_filename("meeting-report", context["date"].isoformat(), label)
    return rendered.pdf, filename
