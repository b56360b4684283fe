"""Demo directory: for each demo country a government with its foreign and defence ministries,
a disarmament desk, a parliament with parties and a foreign-affairs committee, MPs with
constituencies, desk officers, missions in Geneva and New York, aides, contact points, tags,
and a year of stance history in the demo campaigns (campaigns/demo.py).

People are invented; countries, places and the kinds of institution are real. Every demo row
carries an identifier in the `demo` scheme, so running `seed_demo` again adds nothing. Rows are
made in bulk: a few hundred people take well under a second.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify

from advocacy.models import Membership, Organisation, User, Visibility
from campaigns.demo import CAMPAIGNS
from campaigns.models import Campaign
from contacts.models import (
    STANCE_SCALE,
    Area,
    ContactPoint,
    Country,
    DatePrecision,
    Identifier,
    Institution,
    OtherName,
    Person,
    Position,
    Stance,
    StanceAssessment,
    Tag,
)
from contacts.search import person_refresh_search

SCHEME = "demo"

TAGS = [
    ("development", Tag.Kind.HOOK),
    ("health", Tag.Kind.HOOK),
    ("security", Tag.Kind.HOOK),
    ("tourism", Tag.Kind.HOOK),
    ("agriculture", Tag.Kind.HOOK),
    ("education", Tag.Kind.HOOK),
    ("victim assistance", Tag.Kind.ISSUE),
    ("human rights", Tag.Kind.ISSUE),
    ("humanitarian aid", Tag.Kind.ISSUE),
    ("environment", Tag.Kind.ISSUE),
]


@dataclass
class CountrySpec:
    code: str
    phone: str  # country calling code
    domain: str
    government: str
    foreign_ministry: str
    desk: str
    defence_ministry: str
    parliament: str
    committee: str
    mission: str  # "{city}" is filled in
    parties: list[tuple[str, str]]  # (name, short name); the first one governs
    areas: list[str]
    given: list[str]
    family: list[str]
    mps: int
    elected: dt.date
    family_first: bool = False
    # Names in another script, by the Latin spelling used above.
    script: dict[str, str] = field(default_factory=dict)
    script_language: str = ""


COUNTRIES = [
    CountrySpec(
        code="BI",
        phone="+257",
        domain="bi",
        government="Gouvernement du Burundi",
        foreign_ministry="Ministère des Affaires étrangères et de la Coopération au développement",
        desk="Service du désarmement et de la sécurité internationale",
        defence_ministry="Ministère de la Défense nationale",
        parliament="Assemblée nationale",
        committee="Commission des relations extérieures",
        mission="Mission permanente du Burundi à {city}",
        parties=[
            ("Rassemblement pour l'unité nationale", "RUN"),
            ("Front démocratique des collines", "FDC"),
            ("Union des paysans progressistes", "UPP"),
        ],
        areas=[
            "Bujumbura",
            "Gitega",
            "Ngozi",
            "Muyinga",
            "Kirundo",
            "Rumonge",
            "Makamba",
            "Bururi",
            "Cibitoke",
            "Kayanza",
        ],
        given=[
            "Jean-Claude",
            "Marie-Goreth",
            "Pascal",
            "Aimée",
            "Emmanuel",
            "Scholastique",
            "Didier",
            "Francine",
            "Léonce",
            "Béatrice",
            "Prosper",
            "Espérance",
        ],
        family=[
            "Ndikumana",
            "Niyonkuru",
            "Bizimana",
            "Ntahomvukiye",
            "Irambona",
            "Nshimirimana",
            "Barankitse",
            "Habonimana",
            "Niyongabo",
            "Manirakiza",
            "Sindayigaya",
            "Nduwimana",
        ],
        mps=40,
        elected=dt.date(2020, 8, 24),
    ),
    CountrySpec(
        code="FJ",
        phone="+679",
        domain="fj",
        government="Government of Fiji",
        foreign_ministry="Ministry of Foreign Affairs",
        desk="Multilateral and Disarmament Desk",
        defence_ministry="Ministry of Defence and National Security",
        parliament="Parliament of Fiji",
        committee="Standing Committee on Foreign Affairs and Defence",
        mission="Permanent Mission of Fiji in {city}",
        parties=[
            ("Vanua Unity Party", "VUP"),
            ("Pacific Progress Alliance", "PPA"),
            ("Coral Coast Democrats", "CCD"),
        ],
        areas=["Ba", "Ra", "Naitasiri", "Tailevu", "Rewa", "Cakaudrove", "Macuata", "Kadavu"],
        given=[
            "Jone",
            "Litia",
            "Semi",
            "Mere",
            "Viliame",
            "Salote",
            "Ravinesh",
            "Anjali",
            "Epeli",
            "Akanisi",
            "Vijay",
            "Miliana",
        ],
        family=[
            "Waqa",
            "Naivalu",
            "Tikoisuva",
            "Kumar",
            "Raikadroka",
            "Vunibola",
            "Lal",
            "Seruvatu",
            "Nawaqa",
            "Chand",
            "Delai",
            "Tora",
        ],
        mps=24,
        elected=dt.date(2022, 12, 14),
    ),
    CountrySpec(
        code="LB",
        phone="+961",
        domain="lb",
        government="Government of Lebanon",
        foreign_ministry="Ministry of Foreign Affairs and Emigrants",
        desk="Department of International Organisations and Disarmament",
        defence_ministry="Ministry of National Defence",
        parliament="Parliament of Lebanon",
        committee="Foreign and Emigrants Affairs Committee",
        mission="Permanent Mission of Lebanon in {city}",
        parties=[
            ("National Renewal Bloc", "NRB"),
            ("Cedar Reform Movement", "CRM"),
            ("Civic Future Party", "CFP"),
            ("Independents' Gathering", "IG"),
        ],
        areas=[
            "Beirut I",
            "Beirut II",
            "Mount Lebanon I",
            "Mount Lebanon II",
            "North I",
            "North II",
            "South I",
            "South II",
            "Bekaa I",
            "Bekaa II",
        ],
        given=[
            "Nadim",
            "Rima",
            "Ziad",
            "Lina",
            "Fadi",
            "Hala",
            "Samir",
            "Nour",
            "Walid",
            "Maya",
            "Joseph",
            "Dalia",
        ],
        family=[
            "Khalil",
            "Nassar",
            "Karam",
            "Saade",
            "Mansour",
            "Ghanem",
            "Azar",
            "Daher",
            "Bitar",
            "Chehab",
            "Rizk",
            "Moussa",
        ],
        mps=36,
        elected=dt.date(2022, 5, 15),
        script={
            "Nadim": "نديم",
            "Rima": "ريما",
            "Ziad": "زياد",
            "Lina": "لينا",
            "Fadi": "فادي",
            "Hala": "هالة",
            "Samir": "سمير",
            "Nour": "نور",
            "Walid": "وليد",
            "Maya": "مايا",
            "Joseph": "جوزيف",
            "Dalia": "داليا",
            "Khalil": "خليل",
            "Nassar": "نصار",
            "Karam": "كرم",
            "Saade": "سعادة",
            "Mansour": "منصور",
            "Ghanem": "غانم",
            "Azar": "عازار",
            "Daher": "ضاهر",
            "Bitar": "بيطار",
            "Chehab": "شهاب",
            "Rizk": "رزق",
            "Moussa": "موسى",
        },
        script_language="ar",
    ),
    CountrySpec(
        code="VN",
        phone="+84",
        domain="vn",
        government="Government of Viet Nam",
        foreign_ministry="Ministry of Foreign Affairs",
        desk="Department of International Organisations, Arms Control Division",
        defence_ministry="Ministry of National Defence",
        parliament="National Assembly",
        committee="Foreign Affairs Committee",
        mission="Permanent Mission of Viet Nam in {city}",
        parties=[("Unity Front", "UF"), ("Independent deputies", "IND")],
        areas=[
            "Hà Nội",
            "Hồ Chí Minh City",
            "Hải Phòng",
            "Đà Nẵng",
            "Cần Thơ",
            "Quảng Trị",
            "Nghệ An",
            "Thừa Thiên Huế",
            "Quảng Bình",
            "Lào Cai",
        ],
        given=[
            "Văn Hùng",
            "Thị Lan",
            "Minh Tuấn",
            "Thu Hà",
            "Quốc Bảo",
            "Ngọc Anh",
            "Đức Thắng",
            "Thanh Hương",
            "Hữu Phước",
            "Mai Linh",
            "Công Vinh",
            "Bích Ngọc",
        ],
        family=[
            "Nguyễn",
            "Trần",
            "Lê",
            "Phạm",
            "Hoàng",
            "Vũ",
            "Đặng",
            "Bùi",
            "Đỗ",
            "Hồ",
            "Ngô",
            "Dương",
        ],
        mps=50,
        elected=dt.date(2021, 5, 23),
        family_first=True,
    ),
    CountrySpec(
        code="GB",
        phone="+44",
        domain="uk",
        government="His Majesty's Government",
        foreign_ministry="Foreign, Commonwealth & Development Office",
        desk="Arms Control and Disarmament Team",
        defence_ministry="Ministry of Defence",
        parliament="House of Commons",
        committee="Foreign Affairs Committee",
        mission="UK Mission in {city}",
        parties=[
            ("Commonwealth Labour", "CL"),
            ("Unionist Conservatives", "UC"),
            ("Liberal Alliance", "LA"),
            ("Green Future", "GF"),
        ],
        areas=[
            "Bristol Central",
            "Glasgow North",
            "Cardiff East",
            "Leeds West",
            "Norwich South",
            "Aberdeen South",
            "Belfast North",
            "York Central",
            "Swansea West",
            "Exeter",
        ],
        given=[
            "Oliver",
            "Amelia",
            "Rajesh",
            "Siobhan",
            "Gareth",
            "Hannah",
            "Kwame",
            "Eilidh",
            "Samuel",
            "Fatima",
            "Callum",
            "Rebecca",
        ],
        family=[
            "Whitfield",
            "Okonkwo",
            "Brennan",
            "Patel",
            "Llewellyn",
            "McAllister",
            "Thornton",
            "Begum",
            "Fraser",
            "Ashworth",
            "Kaur",
            "Pemberton",
        ],
        mps=60,
        elected=dt.date(2024, 7, 4),
    ),
    CountrySpec(
        code="CO",
        phone="+57",
        domain="co",
        government="Gobierno de Colombia",
        foreign_ministry="Ministerio de Relaciones Exteriores",
        desk="Grupo de Desarme y Seguridad Internacional",
        defence_ministry="Ministerio de Defensa Nacional",
        parliament="Cámara de Representantes",
        committee="Comisión Segunda de Relaciones Exteriores",
        mission="Misión Permanente de Colombia en {city}",
        parties=[
            ("Alianza por la Paz", "AP"),
            ("Partido Andino", "PA"),
            ("Movimiento Cívico Regional", "MCR"),
            ("Centro Democrático Popular", "CDP"),
        ],
        areas=[
            "Antioquia",
            "Cauca",
            "Nariño",
            "Valle del Cauca",
            "Bolívar",
            "Cundinamarca",
            "Meta",
            "Chocó",
            "Putumayo",
            "Caquetá",
        ],
        given=[
            "Juan Carlos",
            "María Fernanda",
            "Andrés Felipe",
            "Luz Marina",
            "Diego",
            "Catalina",
            "Jorge Iván",
            "Paola",
            "Santiago",
            "Claudia",
            "Hernán",
            "Natalia",
        ],
        family=[
            "Gómez Arango",
            "Rodríguez Ospina",
            "Londoño Cárdenas",
            "Zapata Quintero",
            "Valencia Benítez",
            "Salazar Montoya",
            "Cárdenas Ruiz",
            "Quintero Mejía",
            "Ospina Vélez",
            "Arango Duque",
            "Benítez Rojas",
            "Montoya Giraldo",
        ],
        mps=48,
        elected=dt.date(2022, 7, 20),
    ),
    CountrySpec(
        code="CH",
        phone="+41",
        domain="ch",
        government="Conseil fédéral",
        foreign_ministry="Département fédéral des affaires étrangères",
        desk="Section Maîtrise des armements et désarmement",
        defence_ministry="Département fédéral de la défense",
        parliament="Conseil national",
        committee="Commission de politique extérieure",
        mission="Mission permanente de la Suisse à {city}",
        parties=[
            ("Parti du Centre alpin", "PCA"),
            ("Union démocratique lémanique", "UDL"),
            ("Les Verts du Jura", "VJ"),
            ("Parti libéral rhénan", "PLR-R"),
        ],
        areas=[
            "Genève",
            "Vaud",
            "Zürich",
            "Bern",
            "Ticino",
            "Basel-Stadt",
            "Luzern",
            "Valais",
            "Fribourg",
            "Neuchâtel",
        ],
        given=[
            "Lukas",
            "Céline",
            "Marco",
            "Anna",
            "Thomas",
            "Sophie",
            "Nicolas",
            "Laura",
            "Reto",
            "Chiara",
            "Daniel",
            "Léa",
        ],
        family=[
            "Müller",
            "Favre",
            "Rossi",
            "Keller",
            "Bonvin",
            "Meier",
            "Gerber",
            "Rochat",
            "Bianchi",
            "Brunner",
            "Morel",
            "Schmid",
        ],
        mps=30,
        elected=dt.date(2023, 12, 4),
    ),
]

MISSION_CITIES = {
    "Geneva": "Rue de Lausanne 45, 1201 Genève",
    "New York": "866 United Nations Plaza, New York, NY 10017",
}


def seed_contacts() -> None:
    """The demo directory and stance history. Safe to run again: nothing is duplicated."""
    tags = _seed_tags()
    for spec in COUNTRIES:
        _seed_country(spec, tags)
    _seed_stances()


def _seed_tags() -> dict[str, Tag]:
    tags = {}
    for name, kind in TAGS:
        tag, _created = Tag.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "kind": kind}
        )
        tags[name] = tag
    return tags


def _by_demo_key(owner: str, prefix: str) -> dict[str, int]:
    """Demo key → id of the person, institution or area (`owner`) that carries it."""
    rows = Identifier.objects.filter(
        scheme=SCHEME, value__startswith=prefix, **{f"{owner}__isnull": False}
    ).values_list("value", f"{owner}_id")
    return dict(rows)


@dataclass
class Built:
    """What one country's run made or found, by demo key."""

    institutions: dict[str, Institution] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)


def _bulk_create_with_keys(rows: dict[str, Institution | Area], owner: str) -> None:
    """Insert new rows (parents before children) and their demo identifiers."""
    pending = list(rows.items())
    while pending:
        # A row whose parent has no id yet waits for the next round.
        ready = [(k, r) for k, r in pending if getattr(r, "parent", None) is None or r.parent.pk]
        type(ready[0][1]).objects.bulk_create([row for _key, row in ready])
        Identifier.objects.bulk_create(
            Identifier(scheme=SCHEME, value=key, **{owner: row}) for key, row in ready
        )
        pending = [(k, r) for k, r in pending if r.pk is None]


def _seed_institutions(spec: CountrySpec, country: Country, tags: dict[str, Tag]) -> Built:
    code = spec.code
    known = _by_demo_key("institution", f"{code}/")
    existing = Institution.objects.in_bulk(known.values())
    built, new = Built(), {}

    def make(key: str, **fields) -> Institution:
        full_key = f"{code}/{key}"
        if full_key in known:
            institution = existing[known[full_key]]
        else:
            institution = new[full_key] = Institution(country=country, **fields)
        built.institutions[key] = institution
        return institution

    government = make("government", name=spec.government, kind=Institution.Kind.GOVERNMENT)
    mfa = make("mfa", name=spec.foreign_ministry, kind=Institution.Kind.MINISTRY, parent=government)
    make("desk", name=spec.desk, kind=Institution.Kind.DEPARTMENT, parent=mfa)
    make("mod", name=spec.defence_ministry, kind=Institution.Kind.MINISTRY, parent=government)
    parliament = make(
        "parliament", name=spec.parliament, kind=Institution.Kind.PARLIAMENT, seats=spec.mps
    )
    make("committee", name=spec.committee, kind=Institution.Kind.COMMITTEE, parent=parliament)
    for index, (name, short) in enumerate(spec.parties):
        make(
            f"party/{index}",
            name=name,
            short_name=short,
            kind=Institution.Kind.PARTY,
            is_governing=index == 0,
        )
    for city in MISSION_CITIES:
        make(
            f"mission/{slugify(city)}",
            name=spec.mission.format(city=city),
            kind=Institution.Kind.MISSION,
            city=city,
        )
    if new:
        _bulk_create_with_keys(new, "institution")
    if not known:
        _institution_extras(spec, built, tags)
    areas, new_areas = _by_demo_key("area", f"{code}/area/"), {}
    for name in spec.areas:
        key = f"{code}/area/{slugify(name)}"
        if key in areas:
            built.areas[name] = Area(pk=areas[key], name=name, country=country)
        else:
            built.areas[name] = new_areas[key] = Area(
                name=name, kind="constituency", country=country
            )
    if new_areas:
        _bulk_create_with_keys(new_areas, "area")
    return built


def _institution_extras(spec: CountrySpec, built: Built, tags: dict[str, Tag]) -> None:
    """Contact points and tags of the institutions, on the first run only."""
    points = []
    for key, institution in built.institutions.items():
        slug = key.replace("/", "-")
        if key.startswith("party/"):
            continue
        points.append(
            ContactPoint(
                institution=institution,
                kind=ContactPoint.Kind.EMAIL,
                value=f"{slug}@gov.{spec.domain}.example",
            )
        )
        points.append(
            ContactPoint(
                institution=institution,
                kind=ContactPoint.Kind.PHONE,
                value=f"{spec.phone} {100 + len(points)} {200 + len(points) * 7:04d}",
            )
        )
        if key.startswith("mission/"):
            points.append(
                ContactPoint(
                    institution=institution,
                    kind=ContactPoint.Kind.CAPITAL_OFFICE,
                    label="Chancery",
                    value=MISSION_CITIES[institution.city],
                )
            )
    ContactPoint.objects.bulk_create(points)
    built.institutions["mfa"].tags.add(tags["security"], tags["development"])
    built.institutions["mod"].tags.add(tags["security"])
    built.institutions["committee"].tags.add(tags["security"], tags["human rights"])


@dataclass
class PersonSpec:
    key: str
    given: str
    family: str
    gender: str
    honorific: str = ""
    positions: list[dict] = field(default_factory=list)
    contacts: list[ContactPoint] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def _name(spec: CountrySpec, person: PersonSpec) -> tuple[str, str]:
    """Full name and sort name, in the country's order."""
    if spec.family_first:
        full = f"{person.family} {person.given}"
        return full, full
    return f"{person.given} {person.family}", f"{person.family}, {person.given}"


def _people(spec: CountrySpec, rng: random.Random) -> list[PersonSpec]:
    """Everyone in one country: the same list on every run (the generator is seeded)."""
    code, people = spec.code, []
    used: set[tuple[str, str]] = set()

    def person(key: str, **fields) -> PersonSpec:
        while True:
            given, family = rng.choice(spec.given), rng.choice(spec.family)
            if (given, family) not in used or len(used) >= len(spec.given) * len(spec.family):
                break
        used.add((given, family))
        # The lists alternate masculine and feminine first names.
        gender = Person.Gender.MALE if spec.given.index(given) % 2 == 0 else Person.Gender.FEMALE
        people.append(
            PersonSpec(
                key=f"{code}/person/{key}", given=given, family=family, gender=gender, **fields
            )
        )
        return people[-1]

    governing_weight = [3] + [1] * (len(spec.parties) - 1)
    for number in range(1, spec.mps + 1):
        party = rng.choices(range(len(spec.parties)), weights=governing_weight)[0]
        area = spec.areas[(number - 1) % len(spec.areas)]
        mp = person(
            f"mp/{number:02d}",
            tags=rng.sample(sorted(t for t, _k in TAGS), rng.randint(0, 3)),
            positions=[
                {
                    "institution": "parliament",
                    "role": "MP",
                    "post_label": f"Member for {area}",
                    "party": f"party/{party}",
                    "area": area,
                    "start": spec.elected,
                }
            ],
        )
        if number <= 8:
            mp.positions.append(
                {
                    "institution": "committee",
                    "role": "chair" if number == 1 else "member",
                    "start": spec.elected + dt.timedelta(days=30),
                    "precision": DatePrecision.MONTH,
                }
            )
        if number % 7 == 0:
            # A previous term, to show past positions.
            previous = spec.elected.replace(year=spec.elected.year - 5)
            mp.positions.append(
                {
                    "institution": "parliament",
                    "role": "MP",
                    "party": f"party/{(party + 1) % len(spec.parties)}",
                    "area": area,
                    "start": previous,
                    "end": spec.elected - dt.timedelta(days=1),
                    "precision": DatePrecision.YEAR,
                }
            )
    minister = {"start": spec.elected + dt.timedelta(days=60)}
    person(
        "minister/foreign",
        honorific="H.E.",
        tags=["security", "development"],
        positions=[
            {"institution": "mfa", "role": "minister", "post_label": "Minister", **minister}
        ],
    )
    person(
        "minister/defence",
        honorific="H.E.",
        tags=["security"],
        positions=[
            {"institution": "mod", "role": "minister", "post_label": "Minister", **minister}
        ],
    )
    for number, title in enumerate(
        ["Head of the disarmament desk", "Desk officer, conventional weapons", "Desk officer"],
        start=1,
    ):
        person(
            f"desk/{number}",
            tags=["security"],
            positions=[
                {
                    "institution": "desk",
                    "role": "desk officer",
                    "post_label": title,
                    "start": dt.date(2021 + number, 3, 1),
                    "precision": DatePrecision.MONTH,
                }
            ],
        )
    for city in MISSION_CITIES:
        mission = f"mission/{slugify(city)}"
        person(
            f"{mission}/ambassador",
            honorific="H.E.",
            positions=[
                {"institution": mission, "role": "ambassador", "start": dt.date(2022, 9, 1)}
            ],
        )
        person(
            f"{mission}/counsellor",
            positions=[
                {
                    "institution": mission,
                    "role": "counsellor",
                    "post_label": "Counsellor, disarmament",
                    "start": dt.date(2023, 1, 1),
                    "precision": DatePrecision.YEAR,
                }
            ],
        )
    for number in range(1, 4):
        person(
            f"aide/{number}",
            positions=[
                {
                    "institution": "parliament",
                    "role": "aide",
                    "post_label": "Parliamentary assistant",
                    "to_person": f"{code}/person/mp/{number:02d}",
                    "start": spec.elected + dt.timedelta(days=20),
                }
            ],
        )
    return people


def _contacts_for(spec: CountrySpec, person: PersonSpec, index: int, today: dt.date) -> None:
    """Email and phone for everyone; constituency offices with hours for MPs; now and then
    an address that no longer works, so the page shows what expired looks like."""
    local = slugify(f"{person.given}.{person.family}").replace("-", ".")
    domain = "parliament" if "/mp/" in person.key or "/aide/" in person.key else "gov"
    email = f"{local}@{domain}.{spec.domain}.example"
    number = f"{spec.phone} {20 + index % 70} {1000 + index * 37 % 9000:04d} {index % 100:02d}"
    person.contacts += [
        ContactPoint(kind=ContactPoint.Kind.EMAIL, value=email),
        ContactPoint(kind=ContactPoint.Kind.PHONE, value=number),
    ]
    if "/mp/" in person.key:
        area = person.positions[0]["area"]
        person.contacts.append(
            ContactPoint(
                kind=ContactPoint.Kind.CONSTITUENCY_OFFICE,
                label=area,
                value=f"{10 + index} Main Street, {area}",
                hours=["Mon 9:00-12:00", "Fri 14:00-17:00", "Sat 10:00-13:00"][index % 3],
            )
        )
        if index % 5 == 0:
            person.contacts.append(
                ContactPoint(
                    kind=ContactPoint.Kind.EMAIL,
                    label="Former address",
                    value=f"{local}@old-parliament.{spec.domain}.example",
                    valid_until=today - dt.timedelta(days=200),
                )
            )


def _seed_country(spec: CountrySpec, tags: dict[str, Tag]) -> None:
    country = Country.objects.ensure(spec.code)
    built = _seed_institutions(spec, country, tags)
    rng = random.Random(f"demo-directory-{spec.code}")
    today = timezone.localdate()
    people = _people(spec, rng)
    existing = _by_demo_key("person", f"{spec.code}/person/")
    new = [p for p in people if p.key not in existing]
    if not new:
        return
    rows = []
    for person in new:
        name, sort_name = _name(spec, person)
        rows.append(
            Person(
                name=name,
                sort_name=sort_name,
                given_name=person.given,
                family_name=person.family,
                honorific_prefix=person.honorific,
                gender=person.gender,
            )
        )
    Person.objects.bulk_create(rows)
    ids = {**existing, **{p.key: row.pk for p, row in zip(new, rows, strict=True)}}
    identifiers, positions, contacts, other_names, tagged = [], [], [], [], []
    for index, (person, row) in enumerate(zip(new, rows, strict=True)):
        identifiers.append(Identifier(person=row, scheme=SCHEME, value=person.key))
        _contacts_for(spec, person, index, today)
        for contact in person.contacts:
            contact.person = row
            contacts.append(contact)
        for fields in person.positions:
            positions.append(_position(row, fields, built, ids))
        if spec.script and index % 2 == 0:
            given = " ".join(spec.script.get(part, part) for part in person.given.split())
            other = f"{given} {spec.script.get(person.family, person.family)}"
            other_names.append(OtherName(person=row, name=other, language=spec.script_language))
        tagged += [
            Person.tags.through(person_id=row.pk, tag_id=tags[tag].pk) for tag in person.tags
        ]
    Identifier.objects.bulk_create(identifiers)
    Position.objects.bulk_create(positions)
    ContactPoint.objects.bulk_create(contacts)
    OtherName.objects.bulk_create(other_names)
    Person.tags.through.objects.bulk_create(tagged, ignore_conflicts=True)
    person_refresh_search([row.pk for row in rows])


def _position(person: Person, fields: dict, built: Built, ids: dict[str, int]) -> Position:
    precision = fields.get("precision", DatePrecision.DAY)
    start, end = fields.get("start"), fields.get("end")
    if precision == DatePrecision.YEAR:
        start = start and start.replace(month=1, day=1)
        end = end and end.replace(month=12, day=31)
    elif precision == DatePrecision.MONTH:
        start = start and start.replace(day=1)
    return Position(
        person=person,
        institution=built.institutions[fields["institution"]],
        role=fields.get("role", ""),
        post_label=fields.get("post_label", ""),
        party=built.institutions.get(fields.get("party", "")),
        area=built.areas.get(fields.get("area", "")),
        to_person_id=ids.get(fields.get("to_person", "")),
        start_date=start,
        start_precision=precision,
        end_date=end,
        end_precision=precision if end else DatePrecision.DAY,
    )


# Stance histories


def _assessor(campaign: Campaign, country: str) -> Organisation | None:
    """Who assesses people of this country for this campaign: the campaign's organisation,
    or for a coalition campaign the coalition's member in that country."""
    owner = campaign.organisation
    if not owner.is_coalition:
        return owner if owner.country == country else None
    member = Organisation.objects.filter(coalition=owner, country=country).first()
    return member or (owner if owner.country == country else None)


def _author(organisation: Organisation) -> User | None:
    roles = [Membership.Role.CAMPAIGNER, Membership.Role.COORDINATOR, Membership.Role.ADMIN]
    for role in roles:
        user = User.objects.filter(
            memberships__organisation=organisation, memberships__role=role
        ).first()
        if user:
            return user
    return None


def _seed_stances() -> None:
    """A year of assessments for about a quarter of each country's MPs and most officials."""
    campaigns = Campaign.objects.filter(name__in=[c[1] for c in CAMPAIGNS]).select_related(
        "organisation"
    )
    now = timezone.now()
    stances = [s for s in Stance if s != Stance.UNKNOWN]
    new = []
    for campaign in campaigns:
        for spec in COUNTRIES:
            organisation = _assessor(campaign, spec.code)
            author = organisation and _author(organisation)
            if author is None:
                continue
            targets = _by_demo_key("person", f"{spec.code}/person/")
            done = set(
                StanceAssessment.objects.filter(
                    campaign=campaign, organisation=organisation, person_id__in=targets.values()
                ).values_list("person_id", flat=True)
            )
            for key, person_id in sorted(targets.items()):
                # One generator per person and campaign: who is chosen, and their history,
                # never depend on what an earlier run already made.
                rng = random.Random(f"demo-stance-{campaign.name}-{key}")
                chosen = rng.random() < (0.6 if "/mp/" not in key else 0.25)
                if not chosen or person_id in done or "/aide/" in key:
                    continue
                new += _history(campaign, organisation, author, person_id, rng, now, stances)
    StanceAssessment.objects.bulk_create(new)


def _history(campaign, organisation, author, person_id, rng, now, stances) -> list:
    """One to four assessments over the last year, each a step from the one before."""
    count = rng.randint(1, 4)
    days = sorted(rng.sample(range(5, 360), count), reverse=True)
    level = rng.choice(stances)
    rows = []
    for days_ago in days:
        rows.append(
            StanceAssessment(
                campaign=campaign,
                organisation=organisation,
                created_by=author,
                visibility=campaign.visibility
                if campaign.visibility != Visibility.PRIVATE
                else Visibility.ORGANISATION,
                person_id=person_id,
                stance=level,
                influence=rng.randint(1, 5),
                interest=rng.choice(StanceAssessment.Interest.values),
                evidence=rng.choice(StanceAssessment.Evidence.values),
                assessed_at=now - dt.timedelta(days=days_ago, hours=rng.randint(0, 9)),
            )
        )
        # Campaigning mostly moves people towards us.
        nearby = [
            s for s in stances if abs(STANCE_SCALE[s] - STANCE_SCALE[level]) <= 1 and s != level
        ]
        level = rng.choice(nearby) if nearby else level
    return rows
