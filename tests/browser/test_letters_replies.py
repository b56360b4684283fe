"""A coordinator logs the reply to a letter that went out, with the MP's new stance: the
letter's page shows it, the action's results count and list it, and the MP's page in the
directory has the reply and the stance on its timeline."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contacts.models import Stance, StanceAssessment
from letters import replies
from letters.models import Letter
from tests.letters import results_world

SUMMARY = "She will vote for ratification and raise it in the committee."
COMMITMENT = "Vote for ratification in the second reading"


@pytest.fixture
def world(organisation, coordinator):
    return results_world.build_world(organisation, coordinator)


def test_a_coordinator_logs_a_reply_with_a_stance_and_finds_it_everywhere(
    page: Page, sign_in, coordinator, world
):
    action, letter, amina = world.action, world.fatuma_to_amina, world.amina
    sign_in(page.context, coordinator)
    page.goto(f"/letters/{action.pk}/results/")
    expect(page.get_by_role("region", name="Replies")).to_contain_text("No replies logged yet.")

    # From the list of letters to the letter's page.
    page.get_by_role("navigation", name="Parts of the action").get_by_role(
        "link", name="Letters", exact=True
    ).click()
    page.get_by_role("listitem").filter(has_text="from Fatuma Hassan").get_by_role(
        "link", name="The letter's page"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ratify the treaty, Amina Odhiambo")
    expect(page.get_by_role("main")).to_contain_text("Delivered")
    reply = page.get_by_role("region", name="Reply", exact=True)
    expect(reply.get_by_role("heading", name="Log the reply")).to_be_visible()

    # An answer needs the day it came.
    reply.get_by_label("Reply", exact=True).select_option(label="Answer")
    reply.get_by_label("What they said").fill(SUMMARY)
    reply.get_by_role("button", name="Save the reply").click()
    expect(page.locator("#id_received_on_error")).to_contain_text("When did the reply come?")
    assert Letter.objects.get(pk=letter.pk).reply_kind == ""

    received = timezone.localdate() - dt.timedelta(days=3)
    reply = page.get_by_role("region", name="Reply", exact=True)
    reply.get_by_label("Received on").fill(received.isoformat())
    expect(reply.get_by_label("What they said")).to_have_value(SUMMARY)
    reply.get_by_label("Commitment made").fill(COMMITMENT)
    reply.get_by_label("Their stance now").select_option(label="Supportive")
    reply.get_by_role("button", name="Save the reply").click()
    expect(page.get_by_role("status")).to_contain_text("Reply logged.")
    reply = page.get_by_role("region", name="Reply", exact=True)
    expect(reply).to_contain_text("Answer")
    expect(reply).to_contain_text("received on")
    expect(reply).to_contain_text(f"logged by {coordinator}")
    expect(reply).to_contain_text(SUMMARY)
    expect(reply).to_contain_text(f"Commitment made: {COMMITMENT}")
    expect(reply).to_contain_text("Their stance now: Supportive")
    expect(reply.get_by_role("heading", name="Change the reply")).to_be_visible()
    expect(page.get_by_role("region", name="History")).to_contain_text("Reply logged")

    logged = Letter.objects.get(pk=letter.pk)
    assert logged.reply_kind == Letter.ReplyKind.ANSWER
    assert logged.reply_received_on == received
    assert logged.reply_summary == SUMMARY
    assert logged.reply_commitment == COMMITMENT
    assert logged.reply_stance == Stance.SUPPORTIVE
    assert logged.reply_logged_by == coordinator
    assessment = StanceAssessment.objects.get(person=amina)
    assert assessment.stance == Stance.SUPPORTIVE
    assert assessment.campaign == world.campaign
    assert assessment.evidence == StanceAssessment.Evidence.LETTER
    assert assessment.evidence_object == replies.evidence_key(letter)
    assert timezone.localdate(assessment.assessed_at) == received

    # The action's results count the reply and list it.
    page.get_by_role("link", name="Results", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ratification letter day")
    numbers = page.get_by_role("region", name="In numbers")
    expect(numbers.get_by_role("row", name=re.compile("^Replies"))).to_contain_text("1")
    listed = page.get_by_role("region", name="Replies", exact=True)
    expect(listed.get_by_role("link", name=re.compile("Amina Odhiambo: Answer"))).to_be_visible()
    expect(listed).to_contain_text(SUMMARY)
    expect(listed).to_contain_text(f"Commitment made: {COMMITMENT}")
    by_target = page.locator(f"#target-{amina.pk}")
    expect(by_target.get_by_role("cell")).to_have_text(
        [re.compile("Amina Odhiambo"), "2", "2", "0", "1", re.compile(r"\S"), re.compile("PDF")]
    )

    # The MP's page in the directory: the reply and the stance it brought, on the timeline.
    by_target.get_by_role("link", name="Hon. Amina Odhiambo", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/directory/people/{amina.pk}/$"))
    stance = page.get_by_role("region", name="Stance", exact=True)
    expect(stance.locator(f"#stance-campaign-{world.campaign.pk}")).to_contain_text("Supportive")
    timeline = page.get_by_role("region", name="Timeline")
    reply_entry = timeline.get_by_role("listitem").filter(
        has_text="Reply to “Ratify the treaty, Amina Odhiambo”: Answer"
    )
    expect(reply_entry).to_contain_text(SUMMARY)
    expect(reply_entry).to_contain_text(f"Commitment: {COMMITMENT}")
    expect(
        timeline.get_by_role("listitem").filter(has_text="Ratify the treaty: Supportive")
    ).to_contain_text(SUMMARY)
    expect(
        timeline.get_by_role("listitem").filter(has_text="Ratification letter day: 2 letters")
    ).to_have_count(1)

    # The timeline's reply leads back to the letter.
    reply_entry.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/letters/{action.pk}/letter/{letter.pk}/$"))
