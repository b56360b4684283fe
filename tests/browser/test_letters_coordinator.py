"""A coordinator launches a letter day to every current member of the foreign-affairs
committee: makes the action from the campaign page, chooses the targets with the
directory's filters, writes the letter (a misspelt field is caught, the preview shows a
real target), sets the date, launches it and watches the progress; and every page of the
coordinator passes axe on a phone in English and Arabic."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from letters.models import Letter, LetterAction
from tests import factories
from tests.browser.helpers import PHONE
from tests.browser.test_accessibility import phone_problems


@pytest.fixture
def campaign(organisation, coordinator):
    return factories.CampaignFactory(
        organisation=organisation, created_by=coordinator, name="Ratify the mine ban treaty"
    )


@pytest.fixture
def committee(db):
    """Kenya's foreign-affairs committee: three members now and one who left; an MP on
    another committee."""
    kenya = factories.CountryFactory(code="KE", name="Kenya")
    assembly = factories.InstitutionFactory(
        name="National Assembly", kind="parliament", country=kenya
    )
    foreign = factories.InstitutionFactory(
        name="Foreign Affairs Committee", kind="committee", country=kenya, parent=assembly
    )
    defence = factories.InstitutionFactory(
        name="Defence Committee", kind="committee", country=kenya, parent=assembly
    )
    members = []
    for given, family in (("Achieng", "Otieno"), ("Baraka", "Mwangi"), ("Chebet", "Kiprop")):
        person = factories.PersonFactory(
            name=f"{given} {family}",
            given_name=given,
            family_name=family,
            sort_name=f"{family}, {given}",
            honorific_prefix="Hon.",
        )
        factories.PositionFactory(person=person, institution=assembly, role="MP")
        factories.PositionFactory(person=person, institution=foreign, role="member")
        factories.ContactPointFactory(person=person)
        members.append(person)
    former = factories.PersonFactory(name="Daudi Kamau")
    factories.PositionFactory(
        person=former,
        institution=foreign,
        end_date=timezone.localdate() - dt.timedelta(days=60),
    )
    other = factories.PersonFactory(name="Esther Njeri")
    factories.PositionFactory(person=other, institution=assembly, role="MP")
    factories.PositionFactory(person=other, institution=defence, role="member")
    return members


def test_a_coordinator_launches_a_letter_day_to_a_committee(
    page: Page, coordinator, campaign, committee, sign_in
):
    sign_in(page.context, coordinator)
    page.goto(campaign.get_absolute_url())
    page.get_by_role("link", name="New letter action").click()

    # The action, for this campaign.
    expect(page.get_by_label("Campaign", exact=True)).to_have_value(str(campaign.pk))
    # Only the parts that apply show: the FOI section for requests, the fixed zone when
    # every letter arrives at one moment.
    foi_section = page.get_by_role("group", name="Freedom-of-information requests")
    page.get_by_label("Kind").select_option(label="Freedom-of-information request")
    expect(foi_section).to_be_visible()
    page.get_by_label("Kind").select_option(label="Coordinated letter day")
    expect(foi_section).to_be_hidden()
    page.get_by_label("Time zone", exact=True).select_option(label="At that time in one time zone")
    expect(page.get_by_label("Fixed time zone")).to_be_visible()
    page.get_by_label("Time zone", exact=True).select_option(
        label="At that time in each target's own time zone"
    )
    expect(page.get_by_label("Fixed time zone")).to_be_hidden()
    page.get_by_label("Title").fill("Treaty day letters")
    page.get_by_label("Why write").fill("The treaty comes before the committee next month.")
    page.get_by_role("button", name="Create the letter action").click()
    expect(page.get_by_role("status")).to_contain_text("Letter action created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Treaty day letters")
    action = LetterAction.objects.get(title="Treaty day letters")

    # Targets: every current member of the foreign-affairs committee.
    page.get_by_role("navigation", name="Parts of the action").get_by_role(
        "link", name="Targets"
    ).click()
    chooser = page.get_by_role("region", name="Choose targets with the directory's filters")
    chooser.get_by_label("Country").select_option(label="Kenya")
    expect(chooser.get_by_role("heading", name="The filters find 4 people")).to_be_visible()
    chooser.get_by_label("Committee").select_option(label="Foreign Affairs Committee")
    expect(chooser.get_by_role("heading", name="The filters find 3 people")).to_be_visible()
    expect(chooser).not_to_contain_text("Daudi Kamau")
    expect(chooser).not_to_contain_text("Esther Njeri")
    chooser.get_by_role("button", name="Add these 3 people as targets").click()
    expect(page.get_by_role("status")).to_contain_text("3 people added as targets.")
    targets = page.get_by_role("region", name="3 targets")
    expect(targets.get_by_role("link", name=re.compile("Hon. "))).to_have_text(
        ["Hon. Chebet Kiprop", "Hon. Baraka Mwangi", "Hon. Achieng Otieno"]
    )
    expect(targets).to_contain_text("Africa/Nairobi")
    # Everyone the filter finds is a target now: nothing more to add.
    expect(chooser).to_contain_text("They are all targets already.")
    expect(chooser.get_by_role("button", name=re.compile("^Add these"))).to_have_count(0)

    # The letter: a misspelt field is caught as it is typed and again on saving.
    page.get_by_role("navigation", name="Parts of the action").get_by_role(
        "link", name="Letter", exact=True
    ).click()
    subject = page.get_by_label("Subject")
    body = page.get_by_label("Letter", exact=True)
    preview = page.get_by_role("region", name="Preview")
    subject.fill("Please ratify the mine ban treaty")
    body.fill("Dear {{ target.honorific }} {{ target.ful_name }},\n\nPlease ratify the treaty.")
    expect(preview).to_contain_text("Did you mean {{ target.full_name }}?")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Unknown field {{ target.ful_name }}")
    expect(page.locator("#id_en-body_error")).to_contain_text("Did you mean")
    assert not action.templates.exists()

    body.fill("Dear {{ target.honorific }} {{ target.full_name }},\n\nPlease ratify the treaty.")
    expect(preview).to_contain_text("Dear Hon. Chebet Kiprop,")
    # The field list puts a field where the cursor is.
    body.evaluate("el => el.setSelectionRange(el.value.length, el.value.length)")
    page.get_by_role("button", name="Insert Their family name").click()
    expect(body).to_have_value(re.compile(r"treaty\.\{\{ target\.family_name \}\}$"))
    expect(preview).to_contain_text("Please ratify the treaty.Kiprop")
    page.get_by_label("Preview for").select_option(label="Baraka Mwangi")
    expect(preview).to_contain_text("Dear Hon. Baraka Mwangi,")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The letter is saved.")
    assert "{{ target.family_name }}" in action.templates.get(language="en").body

    # The day.
    page.get_by_role("link", name="Edit the settings").click()
    day = timezone.localdate() + dt.timedelta(days=10)
    page.get_by_label("Delivery date").fill(day.isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.get_by_role("region", name="What next")).to_contain_text("Everything is ready")

    # Campaigners wrote their letters meanwhile.
    for person in committee:
        factories.LetterFactory(action=action, target=person, state="ready")

    page.get_by_role("link", name="Launch").click()
    confirm = page.get_by_role("region", name="Launch the action?")
    expect(confirm).to_contain_text("3 letters will be scheduled")
    confirm.get_by_role("button", name="Launch").click()
    expect(page.get_by_role("status")).to_contain_text("Launched: 3 letters scheduled")
    progress = page.get_by_role("region", name="Progress")
    expect(progress).to_contain_text("The action is: Scheduled")
    bar = progress.get_by_role("progressbar", name="0 of 3 letters done (0%)")
    expect(bar).to_have_attribute("max", "3")
    expect(progress.get_by_role("listitem")).to_have_text(["Scheduled 3"])

    # On the day, the bar follows the letters as they go (htmx asks every 2 s).
    first = Letter.objects.filter(action=action).order_by("pk").first()
    Letter.objects.filter(pk=first.pk).update(state="sent", sent_at=timezone.now())
    LetterAction.objects.filter(pk=action.pk).update(state="sending")
    expect(progress.get_by_role("progressbar", name="1 of 3 letters done (33%)")).to_be_visible()
    expect(progress).to_contain_text("The action is: Sending")


@pytest.fixture
def busy_action(organisation, coordinator, campaign, committee):
    action = factories.LetterActionFactory(
        campaign=campaign,
        created_by=coordinator,
        title="Treaty day letters",
        state="open",
        requires_approval=True,
        deliver_on=timezone.localdate() + dt.timedelta(days=10),
    )
    factories.LetterTemplateFactory(action=action)
    factories.LetterTemplateFactory(
        action=action,
        language="ar",
        subject="صادقوا على المعاهدة",
        body="السيد {{ target.full_name }}",
    )
    for person in committee:
        factories.ActionTargetFactory(action=action, person=person)
    factories.LetterFactory(action=action, target=committee[0], state="submitted")
    factories.LetterFactory(action=action, target=committee[1], state="failed", last_error="550")
    return action


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_coordinator_page_passes_axe_on_a_phone(
    new_context, sign_in, coordinator, busy_action, language
):
    coordinator.language = language
    coordinator.save(update_fields=["language"])
    context = new_context(viewport=PHONE, language=language)
    sign_in(context, coordinator)
    page = context.new_page()
    pk = busy_action.pk
    target = busy_action.targets.first()
    paths = [
        "/letters/",
        "/letters/new/",
        f"/letters/{pk}/",
        f"/letters/{pk}/edit/",
        f"/letters/{pk}/templates/en/",
        f"/letters/{pk}/templates/ar/",
        f"/letters/{pk}/targets/",
        f"/letters/{pk}/targets/?unwritten=1",  # only those without a letter, marked
        f"/letters/{pk}/targets/?committee=1&country=ZZ",  # a filter with errors
        f"/letters/{pk}/targets/{target.pk}/",
        f"/letters/{pk}/letters/",
        f"/letters/{pk}/launch/",
        f"/letters/{pk}/close/",
    ]
    problems = {}
    for path in paths:
        page.goto(path)
        found = phone_problems(page)
        if found:
            problems[path] = found
    # The forms with their errors.
    page.goto(f"/letters/{pk}/templates/en/")
    page.locator("#id_en-body").fill("Dear {{ target.nme }}")
    page.locator("form[action$='/templates/en/'] button[type=submit]").first.click()
    found = phone_problems(page)
    if found:
        problems["template with errors"] = found
    assert not problems, problems
