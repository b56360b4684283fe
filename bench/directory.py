"""How fast is the directory with 50,000 people? Loads them into a benchmark database, then
times the directory page (with and without search and filters) and a person's page.

    .venv/bin/python bench/directory.py              # load if needed, then measure
    .venv/bin/python bench/directory.py --reload     # drop the people and load afresh
    .venv/bin/python bench/directory.py --requests 100 --people 20000

The database (`advocacy_bench` by default, on the PostgreSQL of BENCH_DATABASE_URL or
127.0.0.1) is created and migrated by the script and never touched by the tests. Requests
go through Django's test client in this process, with every middleware, a signed-in user
and template rendering: the figures are server time without the network. See README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import common

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/advocacy_bench"


# Data


def listed(text: str) -> list[str]:
    return text.split("|")


# Names with accents and in other scripts, as a real directory has them.
GIVEN = listed(
    "Amina|Désiré|Grace|Ahmed|Wanjiru|José|Søren|Zoë|Ngozi|Kwame|Fatuma|Chloé|Mateus|Aïcha|"
    "Björn|Ioana|Jean-Pierre|Ludmila|Priya|Tomás|Mwangi|Aroha|Hiroshi|Leïla|Olusegun|Marta|"
    "Pierre|Nasser|Илья|Мария|Αλέξης|Ελένη|محمد|فاطمة|Đức|Thảo|Ólafur|Renée"
)
FAMILY = listed(
    "Kamau|Odhiambo|Okello|Hassan|Mbeki|García|Nørgaard|Müller|Diallo|Nkurunziza|Wambui|"
    "Sánchez|Öztürk|Lefèvre|Kowalski|Popescu|Ndayishimiye|Achieng|Banda|Ferreira|Haddad|"
    "Nguyễn|Trần|Þórsson|Dubois|Otieno|Иванов|Петрова|Παπαδόπουλος|Γεωργίου|العلي|الحسيني|"
    "Mutua|Kipchoge|O'Brien|van der Berg|de la Cruz|Abubakar|Nakamura|Jovanović"
)
ROLES_MINISTRY = listed("Minister|Deputy minister|Permanent secretary|Director|Desk officer")
ROLES_MISSION = listed("Ambassador|Deputy permanent representative|Counsellor|First secretary")
MINISTRIES = listed("Foreign Affairs|Defence|Justice|Health|Finance|Interior|Education|Environment")
STANCES = listed("champion|supportive|undecided|unknown|opposed|hostile")
TAGS = listed(
    "Victim assistance|Development|Health|Security|Tourism|Agriculture|Human rights|"
    "Children|Disability|Gender|Environment|Trade"
)


def column_default(field):
    """What Django would have saved for a field the loader leaves out."""
    from django.db.models import JSONField
    from django.utils import timezone
    from psycopg.types.json import Jsonb

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    if field.has_default():
        value = field.get_default()
        return Jsonb(value) if isinstance(field, JSONField) else value
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    raise ValueError(f"the loader must give {field.model.__name__}.{field.name}")


PERSON_COLUMNS = listed("id|name|given_name|family_name|sort_name|honorific_prefix|gender")
PERSON_COLUMNS += ["created_at", "updated_at"]
POSITION_COLUMNS = listed("id|person_id|institution_id|role|post_label|area_id|party_id")
POSITION_COLUMNS += ["to_person_id", "start_date", "end_date"]
STANCE_COLUMNS = listed("organisation_id|created_by_id|visibility|campaign_id|person_id|stance")
STANCE_COLUMNS += ["influence", "assessed_at"]


class Loader:
    """Writes the directory with COPY, a table at a time; ids are assigned here so rows
    can point at each other without a round trip."""

    def __init__(self, people: int, seed: int = 3):
        self.people = people
        self.random = random.Random(seed)

    def run(self) -> None:
        from django.db import connection, transaction

        started = time.perf_counter()
        with transaction.atomic():
            self.clear()
            campaigns = self.load_organisations()
            institutions = self.load_institutions()
            self.load_people(institutions, campaigns)
            self.reset_sequences()
        print(f"loaded {self.people} people in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        self.refresh_search()
        print(f"search documents in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    def clear(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE contacts_stanceassessment, contacts_contactpoint, contacts_othername,"
                " contacts_position, contacts_person_tags, contacts_person, contacts_post,"
                " contacts_identifier, contacts_link, contacts_institution_tags,"
                " contacts_institution, contacts_area, contacts_tag, contacts_country,"
                " campaigns_campaign, advocacy_membership, advocacy_organisation,"
                " advocacy_auditevent, advocacy_user, django_session RESTART IDENTITY CASCADE"
            )

    def load_organisations(self) -> list:
        """A coalition of two organisations, a campaigner in each, three campaigns."""
        from advocacy.models import Membership, Organisation, User, Visibility
        from campaigns.models import Campaign

        coalition = Organisation.objects.create(
            name="Bench Coalition", slug="bench", kind="coalition"
        )
        home = Organisation.objects.create(name="Home", slug="home", coalition=coalition)
        partner = Organisation.objects.create(name="Partner", slug="partner", coalition=coalition)
        users = []
        for organisation in (home, partner):
            user = User.objects.create_user(f"bench@{organisation.slug}.example.org", "x")
            Membership.objects.create(user=user, organisation=organisation, role="campaigner")
            users.append(user)
        campaigns = [
            Campaign.objects.create(
                organisation=home, created_by=users[0], name="Ban cluster munitions"
            ),
            Campaign.objects.create(organisation=home, created_by=users[0], name="Protect MPs"),
            Campaign.objects.create(
                organisation=partner,
                created_by=users[1],
                name="Treaty universalisation",
                visibility=Visibility.COALITION,
            ),
        ]
        return campaigns

    def load_institutions(self) -> dict:
        from django_countries.data import COUNTRIES

        from contacts.models import Area, Country, Institution, Tag

        codes = sorted(COUNTRIES)[:50]
        Country.objects.bulk_create(Country(code=code, name=COUNTRIES[code]) for code in codes)
        Tag.objects.bulk_create(
            Tag(name=name, slug=name.lower().replace(" ", "-")) for name in TAGS
        )
        result: dict = {"countries": codes, "tags": list(Tag.objects.values_list("pk", flat=True))}
        for code in codes:
            name = COUNTRIES[code]
            parliament = Institution.objects.create(
                name=f"Parliament of {name}", kind="parliament", country_id=code
            )
            parties = Institution.objects.bulk_create(
                Institution(
                    name=f"{name} {label} Party",
                    short_name=f"{label[:3].upper()}",
                    kind="party",
                    country_id=code,
                    is_governing=index < 2,
                )
                for index, label in enumerate(
                    ["People's", "Unity", "Green", "Liberal", "Labour", "Democratic"]
                )
            )
            committees = Institution.objects.bulk_create(
                Institution(
                    name=f"{topic} Committee ({name})",
                    kind="committee",
                    country_id=code,
                    parent=parliament,
                )
                for topic in ("Foreign Affairs", "Defence", "Budget", "Human Rights")
            )
            ministries = Institution.objects.bulk_create(
                Institution(name=f"Ministry of {topic} of {name}", kind="ministry", country_id=code)
                for topic in MINISTRIES
            )
            departments = Institution.objects.bulk_create(
                Institution(
                    name=f"{unit} ({ministry.name})",
                    kind="department",
                    country_id=code,
                    parent=ministry,
                )
                for ministry in ministries
                for unit in ("Multilateral Department", "Legal Department")
            )
            missions = Institution.objects.bulk_create(
                Institution(
                    name=f"Permanent Mission of {name} in {city}",
                    kind="mission",
                    country_id=code,
                    city=city,
                )
                for city in ("Geneva", "New York")
            )
            areas = Area.objects.bulk_create(
                Area(name=f"{name} Constituency {number}", kind="constituency", country_id=code)
                for number in range(1, 201)
            )
            result[code] = {
                "parliament": parliament,
                "parties": parties,
                "committees": committees,
                "offices": ministries + departments,
                "missions": missions,
                "areas": areas,
            }
        return result

    def load_people(self, institutions: dict, campaigns) -> None:
        from django.utils import timezone

        from contacts.models import ContactPoint, OtherName, Person, Position, StanceAssessment

        self.now = timezone.now()
        self.rows: dict[str, list[tuple]] = {
            "people": [],
            "positions": [],
            "contacts": [],
            "other_names": [],
            "tags": [],
            "stances": [],
        }
        self.mps: dict[str, list[int]] = {}
        for pk in range(1, self.people + 1):
            code = self.random.choice(institutions["countries"])
            given, family = self.add_person(pk)
            self.add_positions(pk, code, institutions[code])
            self.add_contacts(pk, given, family, institutions["tags"])
            self.add_stances(pk, campaigns)
        rows = self.rows
        self.copy(Person, PERSON_COLUMNS, rows["people"])
        self.copy(Position, POSITION_COLUMNS, rows["positions"])
        self.copy(ContactPoint, ["person_id", "kind", "value"], rows["contacts"])
        self.copy(OtherName, ["person_id", "name", "language"], rows["other_names"])
        self.copy(Person.tags.through, ["person_id", "tag_id"], rows["tags"])
        self.copy(StanceAssessment, STANCE_COLUMNS, rows["stances"])
        print(", ".join(f"{len(value)} {key}" for key, value in rows.items()))

    def add_person(self, pk: int) -> tuple[str, str]:
        rng = self.random
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        updated = self.now - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
        honorific = rng.choice(["", "", "Hon.", "Dr"])
        gender = rng.choice(["female", "male", ""])
        name, sort_name = f"{given} {family}", f"{family}, {given}"
        self.rows["people"].append(
            (pk, name, given, family, sort_name, honorific, gender, updated, updated)
        )
        if rng.random() < 0.1:
            self.rows["other_names"].append((pk, f"{family} {given}", "und"))
        return given, family

    def add_positions(self, pk: int, code: str, place: dict) -> None:
        """70% MPs (a third with a past term, a quarter on a committee), 20% ministry
        staff, 5% diplomats, 5% aides to an MP of their country."""
        rng = self.random
        positions = self.rows["positions"]

        def add(institution, role, *, area=None, party=None, to=None, start, end=None):
            number = len(positions) + 1
            positions.append((number, pk, institution, role, "", area, party, to, start, end))

        kind = rng.random()
        parliament = place["parliament"].pk
        if kind < 0.70:
            area = rng.choice(place["areas"]).pk
            party = rng.choice(place["parties"]).pk
            add(parliament, "MP", area=area, party=party, start=dt.date(2022, 8, 9))
            self.mps.setdefault(code, []).append(pk)
            if rng.random() < 0.3:
                party = rng.choice(place["parties"]).pk
                end = dt.date(2022, 8, 8)
                add(parliament, "MP", area=area, party=party, start=dt.date(2017, 8, 31), end=end)
            if rng.random() < 0.25:
                committee = rng.choice(place["committees"]).pk
                add(committee, "Member", start=dt.date(2022, 10, 1))
        elif kind < 0.90:
            office = rng.choice(place["offices"]).pk
            add(office, rng.choice(ROLES_MINISTRY), start=dt.date(2020, 1, 1))
        elif kind < 0.95:
            mission = rng.choice(place["missions"]).pk
            add(mission, rng.choice(ROLES_MISSION), start=dt.date(2021, 9, 1))
        elif self.mps.get(code):
            mp = rng.choice(self.mps[code])
            add(parliament, "Aide", to=mp, start=dt.date(2022, 9, 1))

    def add_contacts(self, pk: int, given: str, family: str, tags: list[int]) -> None:
        rng = self.random
        contacts = self.rows["contacts"]
        slug = "".join(char for char in family.lower() if char.isalnum())
        contacts.append((pk, "email", f"{slug}.{pk}@parliament.example.org"))
        if rng.random() < 0.4:
            contacts.append((pk, "email", f"{slug}{pk}@mail.example.org"))
        number = f"{rng.randrange(100, 999)} {rng.randrange(100_000, 999_999)}"
        contacts.append((pk, "phone", f"+{rng.randrange(20, 99)} {number}"))
        if rng.random() < 0.3:
            contacts.append((pk, "constituency_office", f"{rng.randrange(1, 200)} High Street"))
        if rng.random() < 0.2:
            for tag in rng.sample(tags, rng.randint(1, 2)):
                self.rows["tags"].append((pk, tag))

    def add_stances(self, pk: int, campaigns) -> None:
        """A history of one to four assessments, a season apart, in some campaigns."""
        rng = self.random
        for campaign, share in zip(campaigns, (0.4, 0.2, 0.1), strict=True):
            if rng.random() >= share:
                continue
            for step in range(rng.randint(1, 4)):
                when = self.now - dt.timedelta(days=400 - step * 90 - rng.randrange(0, 60))
                self.rows["stances"].append(
                    (
                        campaign.organisation_id,
                        campaign.created_by_id,
                        campaign.visibility,
                        campaign.pk,
                        pk,
                        rng.choice(STANCES),
                        rng.randint(1, 5),
                        when,
                    )
                )

    def copy(self, model, columns: list[str], rows: Iterable[tuple]) -> None:
        """COPY rows into the model's table; columns not given get the field's default."""
        from django.db import connection

        missing = [
            field
            for field in model._meta.concrete_fields
            if field.column not in columns and not field.primary_key
        ]
        extra = tuple(column_default(field) for field in missing)
        names = ", ".join(columns + [field.column for field in missing])
        statement = f"COPY {model._meta.db_table} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row + extra)

    def reset_sequences(self) -> None:
        from django.core.management.color import no_style
        from django.db import connection

        from contacts.models import ContactPoint, OtherName, Person, Position, StanceAssessment

        models = [Person, Position, ContactPoint, OtherName, StanceAssessment]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)

    def refresh_search(self) -> None:
        from contacts.models import Person
        from contacts.search import person_refresh_search

        ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), 5000):
            person_refresh_search(ids[start : start + 5000])


# Measuring


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Scenario:
    def __init__(
        self,
        name: str,
        make_request: Callable[[], tuple[str, dict, dict]],
        *,
        most_requests: int | None = None,
    ):
        self.name = name
        self.make_request = make_request
        # Exports take seconds each: a few of them say enough.
        self.most_requests = most_requests


def scenarios(rng: random.Random, *, person_route: bool) -> list[Scenario]:
    from django.urls import reverse

    from campaigns.models import Campaign
    from contacts.models import Country, Institution, Person

    directory = reverse("contacts:directory")
    countries = list(Country.objects.values_list("code", flat=True))
    parties = list(Institution.objects.filter(kind="party").values_list("pk", "country_id"))
    committees = list(Institution.objects.filter(kind="committee").values_list("pk", flat=True))
    campaign = Campaign.objects.order_by("pk").first().pk
    people = list(
        Person.objects.values_list("pk", flat=True)[:: max(1, Person.objects.count() // 2000)]
    )
    surnames = [name.split()[0][:4] for name in FAMILY]
    htmx = {"HX-Request": "true", "HX-Target": "directory-results"}

    def page(params: dict, headers: dict | None = None):
        return lambda: (directory, params() if callable(params) else params, headers or {})

    def party_filter():
        party, country = rng.choice(parties)
        return {"country": country, "party": party}

    result = [
        Scenario("directory, first page", page({})),
        Scenario("directory, page 40", page({"page": 40})),
        Scenario("search: one word", page(lambda: {"q": rng.choice(surnames)})),
        Scenario(
            "search: two words",
            page(lambda: {"q": f"{rng.choice(GIVEN)[:3]} {rng.choice(FAMILY)[:3]}"}),
        ),
        Scenario("search, htmx fragment", page(lambda: {"q": rng.choice(surnames)}, htmx)),
        Scenario("filter: country + party", page(party_filter)),
        Scenario(
            "filter: country + kind + role",
            page(lambda: {"country": rng.choice(countries), "kind": "ministry", "role": "desk"}),
        ),
        Scenario("filter: committee", page(lambda: {"committee": rng.choice(committees)})),
        Scenario("filter: governing, past too", page({"governing": "yes", "current": "no"})),
        Scenario(
            "filter: campaign + stance",
            page(lambda: {"campaign": campaign, "stance": rng.choice(STANCES)}),
        ),
        Scenario(
            "search + country + campaign",
            page(
                lambda: {
                    "q": rng.choice(surnames),
                    "country": rng.choice(countries),
                    "campaign": campaign,
                }
            ),
        ),
        Scenario("sort: country", page({"sort": "country"})),
        Scenario("sort: recently updated", page({"sort": "updated"})),
    ]
    result.append(
        Scenario(
            "export CSV: one country",
            lambda: (reverse("contacts:directory_csv"), {"country": rng.choice(countries)}, {}),
            most_requests=20,
        )
    )
    if person_route:
        result.append(
            Scenario(
                "person page",
                lambda: (reverse("contacts:person", args=[rng.choice(people)]), {}, {}),
            )
        )
    return result


def backend_cpu_ms() -> tuple[int, float | None]:
    """The CPU time used so far by the PostgreSQL process serving this connection, read
    from /proc (so only when PostgreSQL runs on this machine), with its process id."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return pid, None
    ticks = int(fields[11]) + int(fields[12])  # utime and stime
    return pid, ticks * 1000 / os.sysconf("SC_CLK_TCK")


def measure(client, scenario: Scenario, *, requests: int, warmup: int) -> dict:
    """Wall-clock time of each request, and the CPU time spent on it: by this process
    (Django) per request, by the database process on average. On a busy machine the wall
    clock waits for the CPU; the CPU time is what a quiet machine would add up to."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fetch() -> tuple[float, float]:
        url, params, headers = scenario.make_request()
        started, cpu = time.perf_counter(), time.thread_time()
        response = client.get(url, params, headers=headers)
        if response.streaming:
            b"".join(response.streaming_content)
        elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
        if response.status_code != 200:
            raise SystemExit(f"{scenario.name}: {url} {params} answered {response.status_code}")
        return elapsed * 1000, cpu * 1000

    if scenario.most_requests:
        requests = min(requests, scenario.most_requests)
        warmup = min(warmup, 2)
    for _ in range(warmup):
        fetch()
    with CaptureQueriesContext(connection) as queries:
        fetch()
    count = len(queries)  # read now: the next request empties the connection's log
    pid, db_before = backend_cpu_ms()
    timed = [fetch() for _ in range(requests)]
    pid_after, db_after = backend_cpu_ms()
    wall, cpu = [entry[0] for entry in timed], [entry[1] for entry in timed]
    db = None
    if db_before is not None and pid == pid_after:
        db = (db_after - db_before) / requests
    return {
        "p50": statistics.median(wall),
        "p95": percentile(wall, 0.95),
        "max": max(wall),
        "cpu_p50": statistics.median(cpu),
        "cpu_p95": percentile(cpu, 0.95),
        "db_cpu": db,
        "queries": count,
    }


def report(results: list[tuple[str, dict]]) -> None:
    width = max(len(name) for name, _ in results)
    print(
        f"\n{'':<{width}}  {'wall clock, ms':^23}  {'CPU, ms':^26}"
        f"\n{'request':<{width}}  {'p50':>7}{'p95':>8}{'max':>8}  "
        f"{'app p50':>8}{'app p95':>9}{'db mean':>9}  queries"
    )
    for name, figures in results:
        db = f"{figures['db_cpu']:9.1f}" if figures["db_cpu"] is not None else f"{'n/a':>9}"
        print(
            f"{name:<{width}}  {figures['p50']:7.1f}{figures['p95']:8.1f}{figures['max']:8.1f}  "
            f"{figures['cpu_p50']:8.1f}{figures['cpu_p95']:9.1f}{db}  {figures['queries']:>7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--reload", action="store_true", help="load the people again")
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    parser.add_argument(
        "--postgres-defaults", action="store_true", help="measure without the TUNED settings"
    )
    options = parser.parse_args()

    common.configure(
        options.database_url,
        tuned=not options.postgres_defaults,
        # One database session for the whole run, as a busy web process keeps one.
        CONN_MAX_AGE=os.environ.get("CONN_MAX_AGE", "3600"),
    )
    from django.core.management import call_command
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from advocacy.models import User
    from contacts.models import Person

    call_command("migrate", verbosity=0)
    if options.reload or Person.objects.count() != options.people:
        Loader(options.people).run()

    try:
        reverse("contacts:person", args=[1])
        person_route = True
    except NoReverseMatch:
        person_route = False
        print("no contacts:person route yet: the person page is not measured")

    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.order_by("pk").first())
    rng = random.Random(7)
    results = []
    for scenario in scenarios(rng, person_route=person_route):
        if options.only and options.only not in scenario.name:
            continue
        figures = measure(client, scenario, requests=options.requests, warmup=options.warmup)
        print(f"{scenario.name}: p95 {figures['p95']:.1f} ms", flush=True)
        results.append((scenario.name, figures))
    report(results)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
