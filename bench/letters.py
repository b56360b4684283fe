"""How fast does a letter day go out? Renders 5,000 email letters from a template (one
supporter each, to 5,000 targets with aides copied), launches the action and times one
Celery worker handing every letter to a local SMTP server; then renders 500 printable
letters to one PDF per target the same way.

    .venv/bin/python bench/letters.py                       # both halves
    .venv/bin/python bench/letters.py --only email --emails 20000
    .venv/bin/python bench/letters.py --only print --printed 100 --concurrency 1

Each half is timed end to end: rendering the letters from the template, the launch (every
letter scheduled), the dispatcher's claims, and the worker until the last letter is sent
(every Message-ID counted once at the SMTP server) or printed (every PDF stored). The
database (`advocacy_bench_letters` by default, BENCH_DATABASE_URL to change it) is created
and migrated by the script and never touched by the tests; each run rebuilds its bench
organisation. The broker is BENCH_REDIS_URL (Redis database 10 of 127.0.0.1 by default),
whose queue is purged first. The worker is one `celery worker` with its prefork pool (one
child per CPU unless --concurrency says otherwise). Aims: 5,000 emails in under 30 s, 500
PDFs in under 60 s. See README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import common

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/advocacy_bench_letters"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
SLUG = "bench-letters"
MEDIA_ROOT = Path(tempfile.gettempdir()) / "advocacy-bench-letters-media"

TEMPLATE_SUBJECT = (
    "Ratify the treaty before the meeting of states parties, "
    "{{ target.honorific }} {{ target.family_name }}"
)
TEMPLATE_BODY = """Dear {{ target.honorific }} {{ target.full_name }},

As a constituent of {{ target.constituency }} I am writing to ask you to support the
ratification of the treaty before the meeting of states parties on {{ action.delivery_date }}.

Every year thousands of people are killed or maimed, most of them civilians and many of
them children. {{ target.country }} has the chance to lead: the {{ target.institution }} can
vote on ratification this session, and your voice as {{ target.title }} matters.

Please ask the minister when the bill will be tabled, and tell me where you stand.

Yours sincerely,
{{ signatory.name }}
{{ signatory.organisation }}
"""


def configure(database_url: str, redis_url: str) -> None:
    common.configure(
        database_url,
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        MEDIA_ROOT=str(MEDIA_ROOT),
    )


# Data


def reset() -> None:
    """Throw away the previous run's organisation, people and letters."""
    from advocacy.models import Organisation, User
    from contacts.models import Country, Person
    from letters.models import Letter

    shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
    Letter.objects.filter(action__organisation__slug=SLUG).delete()
    Organisation.objects.filter(slug=SLUG).delete()
    Person.objects.filter(name__startswith="Bench ").delete()
    User.objects.filter(email="coordinator@bench-letters.example.org").delete()
    Country.objects.get_or_create(code="KE", defaults={"name": "Kenya"})


def world():
    from advocacy.models import Membership, Organisation, User
    from campaigns.models import Campaign

    organisation = Organisation.objects.create(
        name="Bench Letters", slug=SLUG, email="office@bench-letters.example.org"
    )
    user = User.objects.create_user("coordinator@bench-letters.example.org", "x")
    Membership.objects.create(user=user, organisation=organisation, role="coordinator")
    campaign = Campaign.objects.create(
        organisation=organisation, created_by=user, name="Ban landmines", goal="Ratify."
    )
    return organisation, user, campaign


def load_targets(action, count: int, *, aides: bool) -> None:
    """`count` MPs of Kenya's National Assembly, each in a constituency with an email
    address; with `aides`, every fifth has an aide with an address of their own."""
    from contacts.models import Area, ContactPoint, Country, Institution, Person, Position
    from letters.models import ActionTarget

    kenya = Country.objects.get(code="KE")
    assembly = Institution.objects.create(
        name="Bench National Assembly", kind="parliament", country=kenya
    )
    areas = Area.objects.bulk_create(
        Area(name=f"Bench Constituency {n}", kind="constituency", country=kenya)
        for n in range(count)
    )
    people = Person.objects.bulk_create(
        Person(
            name=f"Bench Member {n}",
            given_name="Bench",
            family_name=f"Member {n}",
            sort_name=f"Member {n:05}, Bench",
            honorific_prefix="Hon.",
        )
        for n in range(count)
    )
    Position.objects.bulk_create(
        Position(person=person, institution=assembly, role="Member of Parliament", area=area)
        for person, area in zip(people, areas, strict=True)
    )
    ContactPoint.objects.bulk_create(
        ContactPoint(person=person, kind="email", value=f"member{n}@parliament.example.org")
        for n, person in enumerate(people)
    )
    if aides:
        bosses = people[::5]
        helpers = Person.objects.bulk_create(
            Person(name=f"Bench Aide {n}", sort_name=f"Aide {n:05}") for n in range(len(bosses))
        )
        Position.objects.bulk_create(
            Position(person=aide, institution=assembly, role="Aide", to_person=boss)
            for aide, boss in zip(helpers, bosses, strict=True)
        )
        ContactPoint.objects.bulk_create(
            ContactPoint(person=aide, kind="email", value=f"aide{n}@parliament.example.org")
            for n, aide in enumerate(helpers)
        )
    ActionTarget.objects.bulk_create(
        ActionTarget(action=action, person=person, time_zone="Africa/Nairobi") for person in people
    )


def make_action(campaign, user, *, channel: str, count: int):
    from django.utils import timezone

    from letters.models import LetterAction, LetterTemplate

    action = LetterAction.objects.create(
        kind=LetterAction.Kind.LETTER_DAY,
        campaign=campaign,
        organisation=campaign.organisation,
        created_by=user,
        title=f"Letter day ({channel})",
        channel=channel,
        state=LetterAction.State.OPEN,
        # Today, at a time already past: every letter is due at once.
        deliver_on=timezone.localdate(),
        deliver_at=dt.time(0, 0),
        zone_policy=LetterAction.ZonePolicy.FIXED,
        time_zone="UTC",
    )
    LetterTemplate.objects.create(
        action=action, language="en", subject=TEMPLATE_SUBJECT, body=TEMPLATE_BODY
    )
    load_targets(action, count, aides=channel == LetterAction.Channel.EMAIL)
    return action


def write_letters(action) -> float:
    """One supporter per target writes the template's letter for that target, ready to go;
    returns the seconds the rendering took (merge fields for every letter, in bulk)."""
    from letters import merge
    from letters.models import Letter, Signatory

    started = time.perf_counter()
    targets = list(action.targets.select_related("person"))
    template = action.template_for("en")
    people = [target.person for target in targets]
    values = merge.target_values(people)
    action_values = merge.action_values(action)
    signatories = Signatory.objects.bulk_create(
        Signatory(
            action=action,
            name=f"Supporter {n}",
            email=f"supporter{n}@bench-letters.example.org",
            organisation_name="Bench Peace Forum",
            nonce=f"{n:032}",
        )
        for n in range(len(people))
    )
    letters = []
    for person, signatory in zip(people, signatories, strict=True):
        subject, body = merge.letter_text(
            template,
            target=values[person.pk],
            action=action_values,
            signatory=merge.signatory_values(signatory),
        )
        letters.append(
            Letter(
                action=action,
                target=person,
                signatory=signatory,
                subject=subject[:300],
                body=body,
                similarity=1.0,
                state=Letter.State.READY,
            )
        )
    Letter.objects.bulk_create(letters, batch_size=1000)
    return time.perf_counter() - started


# The SMTP server and the worker


# The runs


def run(
    *, channel: str, count: int, concurrency: int, timeout: float, log: str | None = None
) -> dict:
    from advocacy.celery import app
    from letters import delivery, services
    from letters.models import Letter

    reset()
    organisation, user, campaign = world()
    action = make_action(campaign, user, channel=channel, count=count)
    app.control.purge()
    with common.SmtpServer() as smtp:
        worker = common.start_worker(smtp.url, concurrency, name="bench-letters", log=log)
        try:
            cpu_before = common.cpu_seconds(worker.pid)
            own_cpu_before = time.process_time()
            started = time.perf_counter()
            rendered = write_letters(action)
            launch_started = time.perf_counter()
            scheduled = services.action_launch(action=action, user=user)
            assert scheduled == count, f"scheduled {scheduled} of {count}"
            dispatch_started = time.perf_counter()
            claimed = delivery.letters_dispatch()
            dispatched = last_dispatch = time.perf_counter()
            assert len(claimed) == count, f"claimed {len(claimed)} of {count}"
            done_state = Letter.State.SENT if channel == "email" else Letter.State.PRINTED
            done = Letter.objects.filter(action=action, state=done_state)
            while done.count() < count:
                time.sleep(0.2)
                if time.perf_counter() - started > timeout:
                    states = services.action_progress(action)["counts"]
                    raise RuntimeError(f"not done after {timeout:.0f} s: {states}")
                # Beat's part: letters a refusal put back are dispatched again.
                if time.perf_counter() - last_dispatch > 15:
                    delivery.letters_dispatch()
                    last_dispatch = time.perf_counter()
            finished = time.perf_counter()
            worker_cpu = common.cpu_seconds(worker.pid) - cpu_before
            own_cpu = time.process_time() - own_cpu_before
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(60)
        result = {
            "total": finished - started,
            "render": rendered,
            "launch": dispatch_started - launch_started,
            "dispatch": dispatched - dispatch_started,
            "cpu": worker_cpu,
            "own_cpu": own_cpu,
        }
        if channel == "email":
            # Every letter's own Message-ID, once each.
            expected = set(
                Letter.objects.filter(action=action).values_list("message_id", flat=True)
            )
            deadline = time.monotonic() + 10
            while smtp.received < count and time.monotonic() < deadline:
                time.sleep(0.05)
            ids = {mid.decode() for mid in smtp.message_ids}
            assert ids == expected, f"{len(ids)} Message-IDs for {len(expected)} letters"
            assert set(smtp.message_ids.values()) == {1}, "a letter arrived twice"
            result["messages"] = smtp.received
        else:
            files = [
                Path(MEDIA_ROOT) / name for name in action.targets.values_list("pdf", flat=True)
            ]
            assert all(path.is_file() for path in files), "a target has no PDF"
            assert all(path.read_bytes()[:5] == b"%PDF-" for path in files)
            result["pdfs"] = len(files)
            result["bytes"] = sum(path.stat().st_size for path in files)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--emails", type=int, default=5000)
    parser.add_argument("--printed", type=int, default=500)
    parser.add_argument("--only", choices=["email", "print"])
    parser.add_argument(
        "--concurrency", type=int, default=os.cpu_count(), help="the worker's pool processes"
    )
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--worker-log", help="write the worker's log to this file")
    options = parser.parse_args()

    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    configure(options.database_url, options.redis_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    where = f"one worker with {options.concurrency} pool processes on {os.cpu_count()} CPUs"

    if options.only in (None, "email"):
        result = run(
            channel="email",
            count=options.emails,
            concurrency=options.concurrency,
            timeout=options.timeout,
            log=options.worker_log,
        )
        rate = options.emails / result["total"]
        print(
            f"{options.emails:,} email letters: {result['total']:.1f} s end to end "
            f"({rate:.0f} a second; aim < 30 s for 5,000) by {where}\n"
            f"  rendered from the template in {result['render']:.1f} s, launched in "
            f"{result['launch']:.1f} s, claimed and queued in {result['dispatch']:.1f} s; "
            f"{result['messages']:,} messages at the SMTP server, each Message-ID once\n"
            f"  worker CPU time: {result['cpu']:.1f} s, "
            f"{result['cpu'] * 1000 / options.emails:.2f} ms a letter; this process (rendering, "
            f"launch, dispatch and the SMTP server): {result['own_cpu']:.1f} s"
        )
    if options.only in (None, "print"):
        result = run(
            channel="print",
            count=options.printed,
            concurrency=options.concurrency,
            timeout=options.timeout,
            log=options.worker_log,
        )
        print(
            f"{options.printed:,} printable letters: {result['total']:.1f} s end to end "
            f"(aim < 60 s for 500) by {where}\n"
            f"  {result['pdfs']:,} PDFs, one per target, {result['bytes'] / 1e6:.1f} MB; "
            f"worker CPU time {result['cpu']:.1f} s, "
            f"{result['cpu'] * 1000 / options.printed:.0f} ms a letter"
        )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
