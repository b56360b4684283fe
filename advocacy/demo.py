"""Demo data: a coalition and its member organisations. Invented people, real countries.

Every function here is idempotent: it finds rows by a natural key and updates them, so
`seed_demo` can run on every `make run` without piling up copies. Each app keeps its own demo
module (`campaigns/demo.py`, ...) and `seed_demo` calls them in dependency order.
"""

from __future__ import annotations

from django.utils.text import slugify

from advocacy.models import Membership, Organisation, User

DEMO_PASSWORD = "demo-advocacy"

COALITION = {
    "slug": "hdc",
    "name": "Humanitarian Disarmament Coalition",
    "country": "CH",
    "email": "office@hdc.example.org",
    "phone": "+41 22 555 01 00",
    "website": "https://hdc.example.org",
    "address": "Rue de Varembé 1\n1202 Geneva\nSwitzerland",
}

# slug, name, country, email domain, language, time zone
MEMBERS = [
    ("apb", "Action pour la Paix au Burundi", "BI", "apb.example.org", "fr", "Africa/Bujumbura"),
    ("ppn-fiji", "Pacific Peace Network Fiji", "FJ", "ppn.example.org", "en", "Pacific/Fiji"),
    ("cedar", "Cedar Survivors Network", "LB", "cedar.example.org", "ar", "Asia/Beirut"),
    ("mekong", "Mekong Mine Action Forum", "VN", "mekong.example.org", "en", "Asia/Ho_Chi_Minh"),
    ("dauk", "Disarmament Action UK", "GB", "dauk.example.org", "en", "Europe/London"),
    ("rcd", "Red Colombiana por el Desarme", "CO", "rcd.example.org", "es", "America/Bogota"),
]

# Invented first and last names per organisation, one per role.
PEOPLE = {
    "hdc": [("Hanna", "Lindqvist"), ("Tomás", "Aguirre"), ("Grace", "Mensah"), ("Yuki", "Sato")],
    "apb": [
        ("Claudine", "Niyonzima"),
        ("Jean-Bosco", "Ndayishimiye"),
        ("Aline", "Irakoze"),
        ("Pacifique", "Hakizimana"),
    ],
    "ppn-fiji": [
        ("Mereani", "Tuilagi"),
        ("Josaia", "Ravuvu"),
        ("Ana", "Koroi"),
        ("Sanjay", "Prasad"),
    ],
    "cedar": [("Rania", "Haddad"), ("Karim", "Khoury"), ("Maya", "Saab"), ("Omar", "Fares")],
    "mekong": [("Linh", "Nguyen"), ("Minh", "Tran"), ("Thu", "Pham"), ("Bao", "Le")],
    "dauk": [("Fiona", "MacLeod"), ("Daniel", "Okafor"), ("Priya", "Shah"), ("Tom", "Hughes")],
    "rcd": [
        ("Valentina", "Restrepo"),
        ("Andrés", "Castaño"),
        ("Lucía", "Mejía"),
        ("Camilo", "Ortiz"),
    ],
}

ROLES = [
    Membership.Role.ADMIN,
    Membership.Role.COORDINATOR,
    Membership.Role.CAMPAIGNER,
    Membership.Role.VIEWER,
]


def _organisation(slug: str, **fields) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(slug=slug, defaults=fields)
    return organisation


def _user(email: str, first: str, last: str, language: str, time_zone: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD)
    # seed_demo prints the password for every demo login, so it must still work after
    # someone changed it during a demo; left alone when unchanged, so reruns change nothing.
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.first_name, user.last_name = first, last
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["password", "first_name", "last_name", "language", "time_zone"])
    return user


def seed_core() -> list[tuple[User, Organisation, str]]:
    """The coalition, its members and one user in every role for each. Returns the logins."""
    coalition = _organisation(kind=Organisation.Kind.COALITION, **COALITION)
    organisations = {"hdc": (coalition, "hdc.example.org", "en", "Europe/Zurich")}
    for slug, name, country, domain, language, time_zone in MEMBERS:
        organisation = _organisation(
            slug,
            name=name,
            kind=Organisation.Kind.CSO,
            coalition=coalition,
            country=country,
            email=f"contact@{domain}",
            website=f"https://{domain}",
        )
        organisations[slug] = (organisation, domain, language, time_zone)

    logins = []
    for slug, (organisation, domain, language, time_zone) in organisations.items():
        for (first, last), role in zip(PEOPLE[slug], ROLES, strict=True):
            email = f"{slugify(first).replace('-', '')}.{role.value}@{domain}"
            user = _user(email, first, last, language, time_zone)
            Membership.objects.update_or_create(
                user=user, organisation=organisation, defaults={"role": role}
            )
            logins.append((user, organisation, role.value))

    return logins
