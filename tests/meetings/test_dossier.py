"""The dossier is assembled, not typed: positions, stance history, previous meetings and
their outcomes, open commitments both ways, the campaign's messages and asks, the policy
hook, and what other apps add (letters, once they exist), as the user may see them."""

import datetime as dt

from django.utils import timezone

from advocacy.models import Visibility
from campaigns.models import Ask, Fact, KeyMessage, PolicyHook
from meetings import services
from meetings.dossier import DossierEntry, DossierSource, target_key
from meetings.models import Meeting
from tests import factories
from tests.meetings.factories import AttendeeFactory, CommitmentFactory, MeetingFactory


def target(dossier, person):
    return next(t for t in dossier["targets"] if t["key"] == target_key(person))


def earlier(meeting, days: int, **fields) -> Meeting:
    person = fields.pop("person")
    previous = MeetingFactory(
        organisation=meeting.organisation,
        created_by=meeting.created_by,
        starts_at=meeting.starts_at - dt.timedelta(days=days),
        **fields,
    )
    AttendeeFactory(meeting=previous, person=person)
    return previous


def test_each_person_comes_with_their_current_positions(meeting, campaigner, minister):
    factories.PositionFactory(
        person=minister,
        role="MP",
        institution__name="Old Assembly",
        start_date=dt.date(2001, 1, 1),
        end_date=dt.date(2005, 1, 1),
    )

    found = target(services.dossier(meeting, campaigner), minister)

    assert found["name"] == "Amina Diallo"
    assert found["representing"] == "Ministry of Foreign Affairs"
    assert [(p["title"], p["institution"]) for p in found["positions"]] == [
        ("minister", "Ministry of Foreign Affairs")
    ]


def test_stance_history_in_the_campaign_as_the_user_may_see_it(
    meeting, campaigner, minister, campaign, outsider
):
    now = timezone.now()
    for days, stance in ((90, "opposed"), (30, "undecided")):
        factories.StanceAssessmentFactory(
            person=minister,
            campaign=campaign,
            stance=stance,
            assessed_at=now - dt.timedelta(days=days),
        )
    factories.StanceAssessmentFactory(person=minister, stance="champion")  # another campaign
    hidden = factories.StanceAssessmentFactory(
        person=minister, campaign=campaign, stance="hostile", visibility=Visibility.PRIVATE
    )
    hidden.created_by = outsider
    hidden.save()

    stance = target(services.dossier(meeting, campaigner), minister)["stance"]

    assert [step["stance"] for step in stance["history"]] == ["opposed", "undecided"]
    assert stance["current"]["label"] == "Undecided"


def test_previous_meetings_with_their_outcomes(meeting, campaigner, minister, coalition_partner):
    first = earlier(meeting, 60, person=minister, summary="Asked for figures.")
    second = earlier(meeting, 20, person=minister, summary="Promised a cabinet paper.")
    earlier(meeting, 10, person=minister, status=Meeting.Status.CANCELLED)
    later = earlier(meeting, -10, person=minister)
    elsewhere = MeetingFactory(
        created_by=coalition_partner, starts_at=meeting.starts_at - dt.timedelta(days=5)
    )
    AttendeeFactory(meeting=elsewhere, person=minister)

    previous = target(services.dossier(meeting, campaigner), minister)["previous_meetings"]

    assert [p["url"] for p in previous] == [second.get_absolute_url(), first.get_absolute_url()]
    assert previous[0]["outcome"] == "Promised a cabinet paper."
    assert later.get_absolute_url() not in str(previous)


def test_open_commitments_both_ways(meeting, campaigner, minister):
    previous = earlier(meeting, 30, person=minister)
    CommitmentFactory(meeting=previous, by="them", text="Raise it at cabinet")
    CommitmentFactory(meeting=previous, by="us", text="Send the figures")
    CommitmentFactory(meeting=previous, by="us", text="Done already", done_on=dt.date(2026, 1, 1))
    other = factories.PersonFactory()
    CommitmentFactory(meeting=previous, by="them", text="Someone else's", person=other)

    commitments = target(services.dossier(meeting, campaigner), minister)["commitments"]

    assert [c["text"] for c in commitments["them"]] == ["Raise it at cabinet"]
    assert [c["text"] for c in commitments["us"]] == ["Send the figures"]


def test_the_campaigns_messages_asks_facts_and_the_institutions_hook(
    meeting, campaigner, minister, campaign
):
    KeyMessage.objects.create(campaign=campaign, text="Cluster munitions kill civilians.")
    Ask.objects.create(campaign=campaign, text="Ratify this year.", audience="MPs")
    Fact.objects.create(campaign=campaign, statement="60% of victims are civilians.")
    ministry = minister.positions.get().institution
    PolicyHook.objects.create(campaign=campaign, institution=ministry, hook="Security file.")
    PolicyHook.objects.create(
        campaign=campaign, institution=factories.InstitutionFactory(), hook="Not theirs."
    )

    dossier = services.dossier(meeting, campaigner)

    assert dossier["campaign"]["key_messages"] == ["Cluster munitions kill civilians."]
    assert dossier["campaign"]["asks"] == [{"text": "Ratify this year.", "audience": "MPs"}]
    assert dossier["campaign"]["facts"][0]["statement"] == "60% of victims are civilians."
    assert target(dossier, minister)["policy_hooks"] == [
        {"institution": ministry.name, "hook": "Security file.", "is_lead": False}
    ]
    assert [hook["hook"] for hook in dossier["policy_hooks"]] == ["Security file."]
    assert dossier["meeting"]["ask"] == "Table the ratification bill this session."


def test_a_campaign_the_user_cannot_see_gives_nothing(meeting, campaigner, campaign, minister):
    campaign.visibility = Visibility.PRIVATE
    campaign.save()
    factories.StanceAssessmentFactory(person=minister, campaign=campaign, stance="opposed")

    dossier = services.dossier(meeting, campaigner)

    assert dossier["campaign"] is None
    assert target(dossier, minister)["stance"]["history"] == []


def test_an_institution_without_a_named_person_is_a_target(meeting, campaigner, campaign):
    mission = factories.InstitutionFactory(name="Permanent Mission of Fiji")
    AttendeeFactory(meeting=meeting, person=None, institution=mission)
    PolicyHook.objects.create(campaign=campaign, institution=mission, hook="Pacific voice.")

    found = target(services.dossier(meeting, campaigner), mission)

    assert (found["kind"], found["name"]) == ("institution", "Permanent Mission of Fiji")
    assert found["policy_hooks"][0]["hook"] == "Pacific voice."


def test_other_apps_add_sources(meeting, campaigner, minister):
    def letters(*, user, people, institutions):
        assert user == campaigner
        return {
            target_key(person): [
                DossierEntry(when=dt.date(2027, 1, 5), title="Letter sent", detail="No reply yet")
            ]
            for person in people
        }

    source = DossierSource(name="letters", label="Letters sent and replies", entries=letters)

    found = target(services.dossier(meeting, campaigner, sources=[source]), minister)

    assert found["sources"] == [
        {
            "name": "letters",
            "label": "Letters sent and replies",
            "entries": [
                {
                    "when": dt.date(2027, 1, 5),
                    "title": "Letter sent",
                    "detail": "No reply yet",
                    "url": "",
                }
            ],
        }
    ]


def test_the_meeting_page_shows_the_dossier(campaigner_client, meeting, minister):
    earlier(meeting, 30, person=minister, summary="Asked for figures.", title="First contact")

    html = campaigner_client.get(meeting.get_absolute_url()).content.decode()

    assert "Background dossier" in html
    assert "First contact" in html
    assert "Asked for figures." in html


def test_the_dossier_never_holds_notes(meeting, campaigner, minister):
    earlier(meeting, 30, person=minister, notes="Secret-notes-of-the-last-meeting")
    meeting.notes = "Notes-of-this-meeting"
    meeting.save()

    text = str(services.dossier(meeting, campaigner))

    assert "Secret-notes" not in text
    assert "Notes-of-this-meeting" not in text
