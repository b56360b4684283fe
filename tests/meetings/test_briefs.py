"""Leave-behind briefs, meeting packs and reports: what goes in them, read back from the PDF."""

import pytest

from meetings import briefs
from meetings.models import Brief, ChecklistItem, MeetingAttendee
from tests.advocacy.pdfs import pdf_pages, pdf_text, pdf_words
from tests.factories import (
    InstitutionFactory,
    PersonFactory,
    PositionFactory,
    StanceAssessmentFactory,
)
from tests.meetings.briefs_world import (
    ARABIC_ASK,
    ASK,
    EARLIER_OFF_RECORD,
    FOLLOW_UP_NOTE,
    MESSAGES_AR,
    MESSAGES_EN,
    OFF_RECORD,
    build_world,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(organisation, campaigner):
    return build_world(organisation, campaigner)


def _brief(world, campaigner, language="en", **content) -> Brief:
    brief = briefs.brief_start(meeting=world.meeting, language=language, created_by=campaigner)
    if content:
        brief.content = {**brief.content, **content}
        brief.save()
    return brief


# Defaults


def test_a_new_brief_starts_from_the_meeting_and_the_campaign(world, campaigner):
    content = _brief(world, campaigner).content

    assert content["title"] == "Ban cluster munitions"
    assert content["ask"] == ASK
    assert content["messages"] == MESSAGES_EN
    assert content["facts"][0] == {
        "statement": "94% of recorded casualties were civilians in 2023.",
        "source": "Cluster Munition Monitor 2024",
        "url": "https://www.the-monitor.org/cluster-munition-monitor-2024",
    }
    # The hook of the ministry met, not that of the ministry of health.
    assert content["hook"] == "The ministry leads the country's humanitarian disarmament diplomacy."
    assert content["contact"] == [
        "Home Org",
        "1 Peace Street",
        "London N1 9GU",
        "+44 20 7946 0000",
        "info@home.example.org",
        "https://home.example.org",
    ]


def test_an_arabic_brief_takes_the_campaign_content_in_arabic_where_there_is_some(
    world, campaigner
):
    world.meeting.ask = ""
    world.meeting.save()

    content = _brief(world, campaigner, language="ar").content

    assert content["ask"] == ARABIC_ASK
    assert content["messages"] == MESSAGES_AR
    # No facts in Arabic yet: the campaign's own.
    assert [fact["statement"] for fact in content["facts"]] == [
        "94% of recorded casualties were civilians in 2023.",
        "112 states are party to the Convention.",
    ]


def test_the_meetings_own_ask_comes_before_the_campaigns(world, campaigner):
    assert _brief(world, campaigner, language="ar").content["ask"] == ASK


def test_a_brief_in_the_same_language_is_the_one_already_started(world, campaigner):
    first = _brief(world, campaigner, language="fr")
    again = _brief(world, campaigner, language="fr")

    assert again.pk == first.pk
    assert Brief.objects.filter(meeting=world.meeting).count() == 1


def test_at_most_five_messages_are_taken(world, campaigner):
    for position in range(10, 14):
        world.campaign.key_messages.create(text=f"Extra {position}", position=position)

    assert len(_brief(world, campaigner).content["messages"]) == 5


def test_the_hook_comes_from_where_a_person_works_when_no_institution_was_named(world, campaigner):
    health = world.campaign.policy_hooks.get(institution__name="Ministry of Health").institution
    doctor = PersonFactory(name="Dr Ana Silva")
    PositionFactory(person=doctor, institution=health, role="minister")
    world.meeting.attendees.all().delete()
    MeetingAttendee.objects.create(meeting=world.meeting, person=doctor)

    assert _brief(world, campaigner).content["hook"] == "Victim assistance is health care."


# Editing


def _form(**data):
    fields = {
        "title": "Title",
        "ask": "Join",
        "messages": "",
        "facts": "",
        "hook": "",
        "contact": "",
    }
    return briefs.BriefForm({**fields, **data})


def test_the_form_reads_one_item_a_line_in_the_order_given():
    form = _form(
        messages="Third\n\n  First  \nSecond\n",
        facts=(
            "112 states are party | UN Treaty Collection | https://treaties.un.org/\n"
            "A fact with no source\n"
            "A fact with only a link | https://example.org/report"
        ),
        contact="Home Org\ninfo@home.example.org",
    )

    assert form.is_valid(), form.errors
    content = form.content()
    assert content["messages"] == ["Third", "First", "Second"]
    assert content["facts"] == [
        {
            "statement": "112 states are party",
            "source": "UN Treaty Collection",
            "url": "https://treaties.un.org/",
        },
        {"statement": "A fact with no source", "source": "", "url": ""},
        {"statement": "A fact with only a link", "source": "", "url": "https://example.org/report"},
    ]
    assert content["contact"] == ["Home Org", "info@home.example.org"]


def test_the_form_shows_the_content_it_was_given(world, campaigner):
    content = _brief(world, campaigner).content

    form = _form(**briefs.BriefForm.initial_from(content))

    assert form.is_valid(), form.errors
    assert form.content() == {key: content[key] for key in form.content()}


def test_the_form_refuses_more_than_five_messages():
    form = _form(messages="\n".join(f"Message {n}" for n in range(6)))

    assert not form.is_valid()
    assert "messages" in form.errors


def test_the_form_refuses_a_source_link_that_is_not_a_web_address():
    form = _form(facts="A fact | A source | javascript:alert(1)")

    assert not form.is_valid()
    assert "Line 1" in form.errors["facts"][0]


# The PDF


def test_the_brief_pdf_holds_the_ask_messages_facts_hook_and_contact(world, campaigner):
    rendered, filename = briefs.brief_pdf(_brief(world, campaigner))

    text = pdf_words(rendered.pdf)
    assert ASK in text
    for message in MESSAGES_EN:
        assert message in text
    assert "Cluster Munition Monitor 2024" in text
    assert "https://www.the-monitor.org/cluster-munition-monitor-2024" in text
    assert "humanitarian disarmament diplomacy" in text
    assert "info@home.example.org" in text
    assert "Hon. Jane Doe" in text
    assert pdf_pages(rendered.pdf) == 1
    assert filename == "brief-2026-11-23-hon-jane-doe-en.pdf"


def test_an_arabic_brief_has_the_arabic_ask_in_reading_order(world, campaigner):
    brief = _brief(world, campaigner, language="ar", ask=ARABIC_ASK)

    rendered, filename = briefs.brief_pdf(brief)

    text = pdf_words(rendered.pdf)
    assert ARABIC_ASK in text
    for message in MESSAGES_AR:
        # pdftotext may put a sentence's final full stop before it, as it is displayed.
        assert message.rstrip(".") in text
    assert filename.endswith("-ar.pdf")


def test_vietnamese_diacritics_survive(world, campaigner):
    ask = "Đề nghị Quốc hội phê chuẩn Công ước trước kỳ họp tới"
    brief = _brief(world, campaigner, ask=ask, messages=["Bom chùm giết hại dân thường."])

    text = pdf_words(briefs.brief_pdf(brief)[0].pdf)

    assert ask in text
    assert "Bom chùm giết hại dân thường." in text


def test_a_brief_longer_than_two_pages_even_in_compact_type_is_cut_to_two(world, campaigner):
    # Longer than the form allows: campaign messages come in as they were written.
    long = " ".join(["The treaty saves lives and costs little to join."] * 30)
    brief = _brief(
        world,
        campaigner,
        messages=[long] * 5,
        facts=[{"statement": long, "source": "Monitor", "url": "https://example.org"}] * 6,
        hook=long,
    )

    rendered, _name = briefs.brief_pdf(brief)

    assert rendered.fit == "truncated"
    assert pdf_pages(rendered.pdf) == 2
    assert ASK in pdf_words(rendered.pdf, page=1)


def test_a_brief_as_long_as_the_form_allows_fits_two_pages_in_compact_type(world, campaigner):
    form = _form(
        ask="A" * 20 + " " + "ask " * 160,
        messages="\n".join(f"Message {n} " + "word " * 95 for n in range(5)),
        facts="\n".join(f"Fact {n} " + "word " * 95 + "| Source | https://e.org" for n in range(6)),
        hook="hook " * 190,
        contact="\n".join(f"Line {n}" for n in range(8)),
    )
    assert form.is_valid(), form.errors
    brief = _brief(world, campaigner, **form.content())

    rendered, _name = briefs.brief_pdf(brief)

    assert rendered.fit == "compact"
    assert pdf_pages(rendered.pdf) == 2
    assert "Line 7" in pdf_words(rendered.pdf)


# Keeping the PDF with the meeting


def test_rendering_keeps_the_pdf_with_the_brief(world, campaigner):
    brief = _brief(world, campaigner)
    assert not briefs.brief_is_current(brief)

    assert briefs.brief_render(brief=brief)

    brief.refresh_from_db()
    assert briefs.brief_is_current(brief)
    assert brief.pdf.name.startswith("briefs/")
    with brief.pdf.open("rb") as kept:
        assert ASK in pdf_words(kept.read())
    assert brief.content["fit"] == "normal"


def test_an_edit_renders_the_pdf_again_and_removes_the_old_file(
    world, campaigner, django_capture_on_commit_callbacks
):
    brief = _brief(world, campaigner)
    briefs.brief_render(brief=brief)
    brief.refresh_from_db()
    old = brief.pdf.name

    with django_capture_on_commit_callbacks(execute=True):
        briefs.brief_update(brief=brief, content={**brief.content, "ask": "Sign it next week"})

    brief.refresh_from_db()
    assert briefs.brief_is_current(brief)
    with brief.pdf.open("rb") as kept:
        assert "Sign it next week" in pdf_words(kept.read())
    assert brief.pdf.name != old
    assert not brief.pdf.storage.exists(old)


def test_an_edit_during_rendering_is_not_marked_as_rendered(world, campaigner, monkeypatch):
    brief = _brief(world, campaigner)
    render = briefs.brief_pdf

    def render_then_edit(rendering):
        result = render(rendering)
        Brief.objects.get(pk=brief.pk).save()  # someone saves an edit meanwhile
        return result

    monkeypatch.setattr(briefs, "brief_pdf", render_then_edit)

    assert not briefs.brief_render(brief=brief)

    brief.refresh_from_db()
    assert not briefs.brief_is_current(brief)
    assert not brief.pdf


# The meeting pack and the report


def test_the_pack_holds_the_dossier_checklist_and_questions(world, campaigner):
    content, filename = briefs.pack_pdf(world.meeting, campaigner, "en")

    text = pdf_words(content)
    assert "Who drafts the bill?" in text
    assert "Rehearse answers" in text
    assert "Print the brief" in text
    assert "minister, Ministry of Foreign Affairs" in text
    assert "Undecided" in text
    assert "First call with the minister" in text
    assert "She asked for the casualty figures." in text
    assert "Send the casualty figures" in text
    assert filename == "meeting-pack-2026-11-23-hon-jane-doe.pdf"


def test_every_page_of_the_pack_is_marked_confidential(world, campaigner):
    for position in range(60):
        ChecklistItem.objects.create(
            meeting=world.meeting, text=f"Extra preparation {position}", position=position + 2
        )

    content, _name = briefs.pack_pdf(world.meeting, campaigner, "en")

    pages = pdf_pages(content)
    assert pages >= 2
    for page in range(1, pages + 1):
        assert "CONFIDENTIAL" in pdf_text(content, page=page)


def test_the_pack_shows_only_what_the_user_may_see(world, campaigner, outsider):
    world.earlier.created_by = outsider
    world.earlier.visibility = "private"
    world.earlier.save()

    text = pdf_words(briefs.pack_pdf(world.meeting, campaigner, "en")[0])

    assert "First call with the minister" not in text


def test_the_report_holds_the_outcome_commitments_and_follow_ups(world):
    content, filename = briefs.report_pdf(world.meeting, "en")

    text = pdf_words(content)
    assert "Move her from undecided to supportive." in text
    assert "She will raise the bill in cabinet next month." in text
    assert "Raise the bill in cabinet" in text
    assert "Send the legal analysis" in text
    assert "Who drafts the bill?" not in text  # preparation is internal
    assert filename == "meeting-report-2026-11-23-hon-jane-doe.pdf"


def test_the_report_says_where_they_stand_after_the_meeting_without_the_note(world):
    StanceAssessmentFactory(
        campaign=world.campaign,
        person=world.minister,
        stance="supportive",
        note="Said privately she will argue for it",
        evidence="meeting",
        evidence_object=world.meeting.evidence_key,
    )

    text = pdf_words(briefs.report_pdf(world.meeting, "en")[0])

    assert "Where they stand now" in text
    assert "Jane Doe: Supportive" in text
    assert "Said privately" not in text


def test_nothing_said_off_the_record_reaches_any_pdf(world, campaigner):
    documents = [
        briefs.brief_pdf(_brief(world, campaigner))[0].pdf,
        briefs.brief_pdf(_brief(world, campaigner, language="ar"))[0].pdf,
        briefs.pack_pdf(world.meeting, campaigner, "en")[0],
        briefs.pack_pdf(world.earlier, campaigner, "en")[0],
        briefs.report_pdf(world.meeting, "en")[0],
        briefs.report_pdf(world.earlier, "en")[0],
    ]

    for document in documents:
        text = pdf_words(document)
        assert OFF_RECORD not in text
        assert EARLIER_OFF_RECORD not in text
        assert "Opening remarks went well" not in text  # no notes at all
        assert FOLLOW_UP_NOTE not in text


def test_a_meeting_with_nobody_recorded_still_makes_every_document(world, campaigner):
    world.meeting.attendees.all().delete()
    world.meeting.campaign = None
    world.meeting.save()

    brief = _brief(world, campaigner)
    rendered, filename = briefs.brief_pdf(brief)

    assert ASK in pdf_words(rendered.pdf)
    assert filename == "brief-2026-11-23-meeting-with-the-minister-en.pdf"
    assert "Nobody from their side" in pdf_words(
        briefs.pack_pdf(world.meeting, campaigner, "en")[0]
    )
    assert pdf_pages(briefs.report_pdf(world.meeting, "en")[0]) == 1


def test_a_brief_for_an_institution_alone_is_named_after_it(world, campaigner):
    world.meeting.attendees.all().delete()
    mission = InstitutionFactory(name="Permanent Mission to the UN in Geneva")
    MeetingAttendee.objects.create(meeting=world.meeting, institution=mission)

    _rendered, filename = briefs.brief_pdf(_brief(world, campaigner))

    assert filename == "brief-2026-11-23-permanent-mission-to-the-un-in-geneva-en.pdf"
