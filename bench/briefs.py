"""How long do a leave-behind brief and a meeting pack take to render? Builds one meeting
with a full brief (ask, five messages, four facts with sources, a hook, contact details) and a
dossier (positions, stance history, earlier meetings, open commitments, a checklist), warms
up, then times WeasyPrint making the PDF bytes, as the worker and the download view do.

    .venv/bin/python bench/briefs.py                   # 50 timed renders of each, 5 warm-up
    .venv/bin/python bench/briefs.py --runs 200 --warmup 10

The database (`advocacy_bench_briefs` by default, on BENCH_DATABASE_URL) is created and
migrated by the script and never touched by the tests; its bench organisation is rebuilt on
each run. The aim is a brief under 300 ms. See README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
import zoneinfo
from collections.abc import Callable

import common

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/advocacy_bench_briefs"
SLUG = "bench-briefs"


MESSAGES = {
    "en": [
        "Cluster munitions kill and maim civilians long after conflicts end.",
        "Two thirds of the world's states have joined the ban on cluster munitions.",
        "Joining costs little: the country has no stockpile to destroy.",
        "Ratification shows leadership ahead of the review conference.",
        "Survivors and their communities need assistance that the treaty requires.",
    ],
    "ar": [
        "الذخائر العنقودية تقتل المدنيين وتشوههم بعد انتهاء النزاعات بسنوات.",
        "انضم ثلثا دول العالم إلى حظر الذخائر العنقودية.",
        "الانضمام قليل الكلفة: لا يوجد مخزون يجب تدميره.",
        "التصديق يظهر القيادة قبل المؤتمر الاستعراضي.",
        "يحتاج الناجون ومجتمعاتهم إلى المساعدة التي تفرضها الاتفاقية.",
    ],
}
ASKS = {
    "en": "Table the ratification bill before the summer recess and vote for it.",
    "ar": "ندعو الحكومة إلى التصديق على اتفاقية الذخائر العنقودية قبل نهاية العام.",
}


def build():
    """One organisation, campaign, minister and meeting with everything a brief and a pack
    show (six earlier meetings and stance assessments: a three-page pack); rebuilt each run."""
    from advocacy.models import Membership, Organisation, User
    from campaigns.models import Ask, Campaign, Fact, KeyMessage, PolicyHook
    from contacts.models import Country, Institution, Person, Position, StanceAssessment
    from meetings.models import ChecklistItem, Commitment, Meeting, MeetingAttendee

    Organisation.objects.filter(slug=SLUG).delete()
    organisation = Organisation.objects.create(
        name="Bench Campaign Network",
        slug=SLUG,
        email="info@bench.example.org",
        phone="+44 20 7946 0000",
        website="https://bench.example.org",
        address="1 Peace Street\nLondon N1 9GU",
    )
    user, _ = User.objects.get_or_create(email="bench-briefs@example.org")
    Membership.objects.create(user=user, organisation=organisation, role="campaigner")
    campaign = Campaign.objects.create(
        organisation=organisation, created_by=user, name="Ban cluster munitions"
    )
    for language, messages in MESSAGES.items():
        for position, text in enumerate(messages):
            KeyMessage.objects.create(
                campaign=campaign, text=text, language=language, position=position
            )
        Ask.objects.create(campaign=campaign, text=ASKS[language], language=language)
    for position in range(4):
        Fact.objects.create(
            campaign=campaign,
            statement=f"Fact {position + 1}: 94% of recorded casualties in 2023 were civilians.",
            source_name="Cluster Munition Monitor 2024",
            source_url="https://www.the-monitor.org/cluster-munition-monitor-2024",
            position=position,
        )
    country = Country.objects.ensure("GB")
    ministry = Institution.objects.create(
        name="Bench Ministry of Foreign Affairs", kind="ministry", country=country
    )
    PolicyHook.objects.create(
        campaign=campaign,
        institution=ministry,
        hook="The ministry leads the country's humanitarian disarmament diplomacy.",
        is_lead=True,
    )
    minister = Person.objects.create(name="Jane Doe", honorific_prefix="Hon.")
    Position.objects.create(person=minister, institution=ministry, role="minister")
    london = zoneinfo.ZoneInfo("Europe/London")
    for months in range(6, 0, -1):
        StanceAssessment.objects.create(
            organisation=organisation,
            created_by=user,
            campaign=campaign,
            person=minister,
            stance="undecided",
            influence=4,
            note="Listens; worried about allies.",
            assessed_at=dt.datetime(2026, 11 - months, 1, tzinfo=london),
        )
        earlier = Meeting.objects.create(
            organisation=organisation,
            created_by=user,
            campaign=campaign,
            title=f"Check-in {months} months before",
            starts_at=dt.datetime(2026, 11 - months, 10, 10, tzinfo=london),
            status=Meeting.Status.WRITTEN_UP,
            summary="She asked for the casualty figures and the legal analysis.",
        )
        MeetingAttendee.objects.create(meeting=earlier, person=minister, institution=ministry)
        Commitment.objects.create(meeting=earlier, by="us", text="Send the legal analysis")
    meeting = Meeting.objects.create(
        organisation=organisation,
        created_by=user,
        campaign=campaign,
        title="Meeting with the minister",
        starts_at=dt.datetime(2026, 11, 23, 10, tzinfo=london),
        time_zone="Europe/London",
        location="Whitehall",
        objective=Meeting.Objective.CHANGE_POSITION,
        ask=ASKS["en"],
        questions="Who drafts the bill?\nWhen does cabinet decide?\nWhat do allies say?",
    )
    MeetingAttendee.objects.create(meeting=meeting, person=minister, institution=ministry)
    meeting.our_attendees.add(user)
    for position, text in enumerate(
        ["Clear objective", "Main message and ask", "Who attends and who leads", "Rehearse"]
        + ["Background notes", "Facts and figures", "Questions", "Brief", "Cards", "Follow-up"]
    ):
        ChecklistItem.objects.create(meeting=meeting, text=text, position=position)
    return meeting, user


def timed(render: Callable[[], object], *, runs: int, warmup: int) -> dict:
    for _ in range(warmup):
        render()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        render()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50": statistics.median(times),
        "p95": statistics.quantiles(times, n=20)[18],
        "max": max(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=50, help="timed renders of each document")
    parser.add_argument("--warmup", type=int, default=5)
    options = parser.parse_args()

    common.configure(options.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from meetings import briefs

    meeting, user = build()
    brief_en = briefs.brief_start(meeting=meeting, language="en", created_by=user)
    brief_ar = briefs.brief_start(meeting=meeting, language="ar", created_by=user)
    brief_ar.content = {**brief_ar.content, "ask": ASKS["ar"]}
    brief_ar.save()
    scenarios = {
        "brief (English)": lambda: briefs.brief_pdf(brief_en),
        "brief (Arabic)": lambda: briefs.brief_pdf(brief_ar),
        "meeting pack": lambda: briefs.pack_pdf(meeting, user, "en"),
        "meeting report": lambda: briefs.report_pdf(meeting, "en"),
    }
    pages = {
        "brief (English)": briefs.brief_pdf(brief_en)[0].pages,
        "brief (Arabic)": briefs.brief_pdf(brief_ar)[0].pages,
    }
    print(f"{options.runs} renders each after {options.warmup} to warm up; times in ms")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"\n{'document':<16}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}")
    for name, render in scenarios.items():
        figures = timed(render, runs=options.runs, warmup=options.warmup)
        note = f"  ({pages[name]} page)" if name in pages else ""
        print(
            f"{name:<16}  {figures['p50']:7.1f}  {figures['p95']:7.1f}  {figures['max']:7.1f}"
            + note
        )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
