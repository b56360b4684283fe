"""Demo campaigns for the demo coalition (see advocacy/demo.py), and two real treaties.

The Convention on Cluster Munitions and the Mine Ban Treaty are loaded with the public record
of the demo countries (Burundi, Fiji, Lebanon, Viet Nam, the United Kingdom, Colombia and
Switzerland): signature, ratification and entry-into-force dates as the UN Treaty Collection
lists them, written down from memory of that record. Each date is marked where it is less
certain; check the depositary's page before quoting one.

Every function is idempotent: rows are found by a natural key and only made once, so
`seed_demo` can run on every `make run`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import translation
from django_countries import countries

from advocacy.models import Membership, Organisation, User, Visibility
from campaigns.models import (
    Ask,
    Campaign,
    CampaignMember,
    Fact,
    KeyMessage,
    PolicyHook,
    Treaty,
    TreatyStatus,
    TreatyStatusChange,
)
from contacts.models import Country, Identifier, Institution, Tag

CAMPAIGNS = [
    (
        "hdc",
        "Universalise the Convention on Cluster Munitions",
        Visibility.COALITION,
        "Every state joins the convention and none uses cluster munitions again.",
    ),
    (
        "hdc",
        "Mine Ban Treaty: clearance deadlines kept",
        Visibility.COALITION,
        "States parties finish clearance by their deadline or ask for an extension in time.",
    ),
    (
        "apb",
        "Burundi ratifies the cluster munitions convention",
        Visibility.ORGANISATION,
        "The National Assembly votes the ratification bill this year.",
    ),
    (
        "ppn-fiji",
        "Pacific voices at the meeting of states parties",
        Visibility.COALITION,
        "Every Pacific state party sends a delegation and speaks on victim assistance.",
    ),
    (
        "cedar",
        "Victim assistance in Lebanon's national budget",
        Visibility.ORGANISATION,
        "A budget line for survivors' rehabilitation in the next finance law.",
    ),
    (
        "mekong",
        "Viet Nam joins the cluster munitions convention",
        Visibility.ORGANISATION,
        "Viet Nam accedes to the convention.",
    ),
    (
        "dauk",
        "UK funding for clearance in the Pacific and South-East Asia",
        Visibility.COALITION,
        "The UK renews multi-year funding for clearance.",
    ),
    (
        "rcd",
        "Colombia reports on stockpile destruction",
        Visibility.ORGANISATION,
        "Colombia's article 7 report is complete and on time.",
    ),
]

UN = "Secretary-General of the United Nations"
CCM_TEXT = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-6&chapter=26"
MBT_TEXT = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-5&chapter=26"

TREATIES = {
    "ccm": {
        "name": "Convention on Cluster Munitions",
        "short_name": "Convention on Cluster Munitions",
        "adopted_on": dt.date(2008, 5, 30),
        "entry_into_force_on": dt.date(2010, 8, 1),
        "depositary": UN,
        "url": "https://www.clusterconvention.org/",
        "description": "Adopted in Dublin on 30 May 2008, opened for signature in Oslo on "
        "3 December 2008, in force since 1 August 2010. Bans the use, production, transfer "
        "and stockpiling of cluster munitions; requires clearance, stockpile destruction "
        "and assistance to victims.",
    },
    "mbt": {
        "name": "Convention on the Prohibition of the Use, Stockpiling, Production and "
        "Transfer of Anti-Personnel Mines and on their Destruction",
        "short_name": "Mine Ban Treaty",
        "adopted_on": dt.date(1997, 9, 18),
        "entry_into_force_on": dt.date(1999, 3, 1),
        "depositary": UN,
        "url": "https://www.apminebanconvention.org/",
        "description": "Adopted in Oslo on 18 September 1997, opened for signature in Ottawa "
        "on 3 December 1997, in force since 1 March 1999.",
    },
}

OSLO = dt.date(2008, 12, 3)  # the CCM's opening for signature
OTTAWA = dt.date(1997, 12, 3)  # the Mine Ban Treaty's opening for signature

# code: (status, signed, ratified or acceded, in force for it). Both treaties enter into force
# for a state on the first day of the sixth month after it deposits its instrument, which
# is how the last dates follow from the ratification dates.
STATUSES = {
    "ccm": {
        "BI": (TreatyStatus.Status.SIGNATORY, OSLO, None, None),
        # Fiji's signature at Oslo is less certain than its ratification of 28 May 2010.
        "FJ": (TreatyStatus.Status.STATE_PARTY, OSLO, dt.date(2010, 5, 28), dt.date(2010, 11, 1)),
        "LB": (TreatyStatus.Status.STATE_PARTY, OSLO, dt.date(2010, 11, 5), dt.date(2011, 5, 1)),
        "VN": (TreatyStatus.Status.NOT_SIGNED, None, None, None),
        "GB": (TreatyStatus.Status.STATE_PARTY, OSLO, dt.date(2010, 5, 4), dt.date(2010, 11, 1)),
        "CO": (TreatyStatus.Status.STATE_PARTY, OSLO, dt.date(2015, 9, 10), dt.date(2016, 3, 1)),
        "CH": (TreatyStatus.Status.STATE_PARTY, OSLO, dt.date(2012, 7, 17), dt.date(2013, 1, 1)),
    },
    "mbt": {
        # Burundi's ratification date (22 October 2003) is the least certain of these.
        "BI": (TreatyStatus.Status.STATE_PARTY, OTTAWA, dt.date(2003, 10, 22), dt.date(2004, 4, 1)),
        "FJ": (TreatyStatus.Status.STATE_PARTY, OTTAWA, dt.date(1998, 6, 10), dt.date(1999, 3, 1)),
        "LB": (TreatyStatus.Status.NOT_SIGNED, None, None, None),
        "VN": (TreatyStatus.Status.NOT_SIGNED, None, None, None),
        "GB": (TreatyStatus.Status.STATE_PARTY, OTTAWA, dt.date(1998, 7, 31), dt.date(1999, 3, 1)),
        "CO": (TreatyStatus.Status.STATE_PARTY, OTTAWA, dt.date(2000, 9, 6), dt.date(2001, 3, 1)),
        "CH": (TreatyStatus.Status.STATE_PARTY, OTTAWA, dt.date(1998, 3, 24), dt.date(1999, 3, 1)),
    },
}


@dataclass
class Content:
    treaty: str
    countries: list[str]
    messages: list[str]
    asks: list[tuple[str, str]]  # text, asked of
    facts: list[tuple[str, str, str]]  # statement, source, link
    # (the institution's demo key in contacts/demo.py, or "health"; lead; hook; theme)
    hooks: list[tuple[str, bool, str, str]] = field(default_factory=list)


CCM_FACTS = {
    "ban": (
        "The convention prohibits all use, production, transfer and stockpiling of cluster "
        "munitions (Article 1).",
        "Convention on Cluster Munitions, Article 1",
        CCM_TEXT,
    ),
    "stockpiles": (
        "A state party must destroy its stockpiles within eight years of becoming party "
        "(Article 3).",
        "Convention on Cluster Munitions, Article 3",
        CCM_TEXT,
    ),
    "clearance": (
        "Contaminated areas must be cleared within ten years of becoming party (Article 4).",
        "Convention on Cluster Munitions, Article 4",
        CCM_TEXT,
    ),
    "victims": (
        "States parties must assist cluster munition victims in areas under their "
        "jurisdiction or control, without discrimination (Article 5).",
        "Convention on Cluster Munitions, Article 5",
        CCM_TEXT,
    ),
}
MBT_FACTS = {
    "stockpiles": (
        "Stockpiled anti-personnel mines must be destroyed within four years of becoming "
        "party (Article 4).",
        "Mine Ban Treaty, Article 4",
        MBT_TEXT,
    ),
    "clearance": (
        "Mined areas must be cleared within ten years, or an extension requested from the "
        "states parties in time (Article 5).",
        "Mine Ban Treaty, Article 5",
        MBT_TEXT,
    ),
}
FOREIGN_LEAD = ("mfa", True, "Signature, ratification and reporting are its file.", "security")
DEFENCE = ("mod", False, "Holds the stockpiles and must confirm their destruction.", "security")
HEALTH = ("health", False, "Cares about victim assistance: rehabilitation and care.", "health")

CONTENT = {
    "Universalise the Convention on Cluster Munitions": Content(
        treaty="ccm",
        countries=["BI", "VN", "LB", "FJ"],
        messages=[
            "Cluster munitions kill and maim civilians long after a conflict ends.",
            "Joining the convention costs little and protects your people.",
        ],
        asks=[("Sign or accede to the convention before the next meeting of states parties.",
               "Foreign ministries")],
        facts=[CCM_FACTS["ban"], CCM_FACTS["victims"]],
        hooks=[FOREIGN_LEAD, DEFENCE],
    ),
    "Mine Ban Treaty: clearance deadlines kept": Content(
        treaty="mbt",
        countries=["CO", "BI", "GB"],
        messages=["A deadline missed without an extension request breaks the treaty."],
        asks=[("Report progress on clearance every year, and ask for an extension in time.",
               "Mine action authorities")],
        facts=[MBT_FACTS["clearance"], MBT_FACTS["stockpiles"]],
        hooks=[FOREIGN_LEAD],
    ),
    "Burundi ratifies the cluster munitions convention": Content(
        treaty="ccm",
        countries=["BI"],
        messages=[
            "Le Burundi a signé la convention en 2008 ; il est temps de la ratifier.",
            "La ratification ne coûte rien : le Burundi ne possède pas d'armes à sous-munitions.",
        ],
        asks=[("Inscrire le projet de loi de ratification à l'ordre du jour de la session.",
               "Commission des relations extérieures")],
        facts=[CCM_FACTS["ban"]],
        hooks=[FOREIGN_LEAD, HEALTH],
    ),
    "Pacific voices at the meeting of states parties": Content(
        treaty="ccm",
        countries=["FJ"],
        messages=["The Pacific is free of cluster munitions; its voice keeps it so."],
        asks=[("Send a delegation to the meeting of states parties and speak on victim "
               "assistance.", "Ministry of Foreign Affairs")],
        facts=[CCM_FACTS["victims"]],
        hooks=[FOREIGN_LEAD, HEALTH],
    ),
    "Victim assistance in Lebanon's national budget": Content(
        treaty="ccm",
        countries=["LB"],
        messages=[
            "Survivors need care for life, not for one project cycle.",
            "Lebanon hosted the convention's second meeting of states parties in 2011; "
            "its budget can lead too.",
        ],
        asks=[("Create a budget line for survivors' rehabilitation in the finance law.",
               "Finance and budget committee")],
        facts=[
            CCM_FACTS["victims"],
            (
                "Lebanon hosted the Second Meeting of States Parties to the Convention on "
                "Cluster Munitions in Beirut in September 2011.",
                "Convention on Cluster Munitions, meetings of states parties",
                "https://www.clusterconvention.org/",
            ),
        ],
        hooks=[HEALTH, FOREIGN_LEAD],
    ),
    "Viet Nam joins the cluster munitions convention": Content(
        treaty="ccm",
        countries=["VN"],
        messages=["Viet Nam knows the cost of cluster munitions better than most countries."],
        asks=[("Begin the inter-ministerial review of accession.", "Ministry of Foreign Affairs")],
        facts=[CCM_FACTS["clearance"]],
        hooks=[FOREIGN_LEAD, DEFENCE, HEALTH],
    ),
    "UK funding for clearance in the Pacific and South-East Asia": Content(
        treaty="ccm",
        countries=["GB", "VN", "FJ"],
        messages=["Multi-year funding lets clearance operators plan and keep trained staff."],
        asks=[("Renew multi-year funding for clearance in the next spending review.",
               "Foreign, Commonwealth & Development Office")],
        facts=[CCM_FACTS["clearance"]],
        hooks=[FOREIGN_LEAD],
    ),
    "Colombia reports on stockpile destruction": Content(
        treaty="ccm",
        countries=["CO"],
        messages=["Un informe completo y a tiempo muestra que Colombia cumple."],
        asks=[("Presentar el informe del artículo 7 antes del 30 de abril.",
               "Ministerio de Relaciones Exteriores")],
        facts=[CCM_FACTS["stockpiles"]],
        hooks=[FOREIGN_LEAD, DEFENCE],
    ),
}  # fmt: skip

# Each demo country's health ministry, which the directory's demo does not have.
HEALTH_MINISTRIES = {
    "BI": "Ministère de la Santé publique et de la Lutte contre le sida",
    "FJ": "Ministry of Health and Medical Services",
    "LB": "Ministry of Public Health",
    "VN": "Ministry of Health",
    "GB": "Department of Health and Social Care",
    "CO": "Ministerio de Salud y Protección Social",
    "CH": "Office fédéral de la santé publique",
}
# When someone checked the demo facts: fixed, so a second run changes nothing.
CHECKED_ON = dt.date(2025, 1, 15)


def seed_campaigns() -> None:
    """Treaties with the demo countries' statuses, then the campaigns and what they say."""
    _seed_treaties()
    organisations = {
        o.slug: o for o in Organisation.objects.filter(slug__in=[c[0] for c in CAMPAIGNS])
    }
    treaties = {t.code: t for t in Treaty.objects.all()}
    for slug, name, visibility, goal in CAMPAIGNS:
        organisation = organisations[slug]
        author = _member(organisation, Membership.Role.COORDINATOR)
        fields = {"visibility": visibility, "goal": goal, "created_by": author}
        campaign, created = Campaign.objects.get_or_create(
            organisation=organisation, name=name, defaults=fields
        )
        # Saved only when a field changed, so a second run leaves the rows as they were.
        if not created and any(getattr(campaign, k) != v for k, v in fields.items()):
            Campaign.objects.update_or_create(pk=campaign.pk, defaults=fields)
        _seed_content(campaign, CONTENT[name], treaties, author)


def _member(organisation: Organisation, role: str) -> User:
    return User.objects.get(memberships__organisation=organisation, memberships__role=role)


def _ensure_countries(codes) -> None:
    with translation.override("en"):
        rows = [Country(code=code, name=str(countries.name(code))) for code in codes]
    Country.objects.bulk_create(rows, ignore_conflicts=True)


def _seed_treaties() -> None:
    _ensure_countries({code for statuses in STATUSES.values() for code in statuses})
    for code, fields in TREATIES.items():
        treaty, _created = Treaty.objects.update_or_create(code=code, defaults=fields)
        for country, (status, signed, consent, in_force) in STATUSES[code].items():
            row, created = TreatyStatus.objects.get_or_create(
                treaty=treaty,
                country_id=country,
                defaults={
                    "status": status,
                    "signed_on": signed,
                    "consent_on": consent,
                    "entry_into_force_on": in_force,
                    "source": "UN Treaty Collection",
                },
            )
            if created:
                _seed_history(row)


def _seed_history(status: TreatyStatus) -> None:
    """Signature, then ratification: the steps the dates record."""
    steps = []
    if status.signed_on:
        steps.append((TreatyStatus.Status.SIGNATORY, status.signed_on))
    if status.consent_on:
        steps.append((TreatyStatus.Status.RATIFIED, status.consent_on))
    if status.entry_into_force_on:
        steps.append((TreatyStatus.Status.STATE_PARTY, status.entry_into_force_on))
    if not steps:
        steps.append((status.status, status.treaty.adopted_on))
    TreatyStatusChange.objects.bulk_create(
        TreatyStatusChange(
            treaty_status=status, status=value, changed_on=day, source="UN Treaty Collection"
        )
        for value, day in steps
    )


def _seed_content(campaign: Campaign, content: Content, treaties: dict, author: User) -> None:
    if campaign.treaty_id != treaties[content.treaty].pk:
        campaign.treaty = treaties[content.treaty]
        campaign.save(update_fields=["treaty", "updated_at"])
    _ensure_countries(content.countries)
    campaign.countries.add(*content.countries)
    language = _language(campaign.organisation)
    for position, text in enumerate(content.messages):
        KeyMessage.objects.get_or_create(
            campaign=campaign, text=text, defaults={"position": position, "language": language}
        )
    for position, (text, audience) in enumerate(content.asks):
        Ask.objects.get_or_create(
            campaign=campaign,
            text=text,
            defaults={"audience": audience, "position": position, "language": language},
        )
    for position, (statement, source, url) in enumerate(content.facts):
        Fact.objects.get_or_create(
            campaign=campaign,
            statement=statement,
            defaults={
                "source_name": source,
                "source_url": url,
                "checked_by": author,
                "checked_on": CHECKED_ON,
                "position": position,
            },
        )
    CampaignMember.objects.get_or_create(
        campaign=campaign, user=author, defaults={"role": CampaignMember.Role.LEAD}
    )
    campaigner = _member(campaign.organisation, Membership.Role.CAMPAIGNER)
    CampaignMember.objects.get_or_create(campaign=campaign, user=campaigner)
    if campaign.visibility == Visibility.COALITION:
        # A coalition campaign draws on members of the coalition in its countries.
        partners = Membership.objects.filter(
            organisation__coalition=campaign.organisation.coalition_id or campaign.organisation,
            organisation__country__in=content.countries,
            role=Membership.Role.CAMPAIGNER,
        ).select_related("user")
        for membership in partners:
            CampaignMember.objects.get_or_create(campaign=campaign, user=membership.user)


def _language(organisation: Organisation) -> str:
    """The language its key messages are written in: its coordinator's."""
    return _member(organisation, Membership.Role.COORDINATOR).language


def seed_policy_hooks() -> None:
    """Which ministries care and why, per campaign country. Runs after the directory's demo
    (contacts/demo.py), whose institutions the hooks name; adds each health ministry."""
    tags = {tag.slug: tag for tag in Tag.objects.filter(kind=Tag.Kind.HOOK)}
    keys = dict(
        Identifier.objects.filter(scheme="demo", institution__isnull=False).values_list(
            "value", "institution_id"
        )
    )
    campaigns = Campaign.objects.filter(name__in=CONTENT).prefetch_related("countries")
    for campaign in campaigns:
        for country in campaign.countries.all():
            for key, is_lead, hook, theme in CONTENT[campaign.name].hooks:
                institution_id = (
                    _health_ministry(country, keys).pk
                    if key == "health"
                    else keys.get(f"{country.pk}/{key}")
                )
                if institution_id is None:
                    continue
                PolicyHook.objects.get_or_create(
                    campaign=campaign,
                    institution_id=institution_id,
                    defaults={"hook": hook, "is_lead": is_lead, "tag": tags.get(theme)},
                )


def _health_ministry(country: Country, keys: dict[str, int]) -> Institution:
    kind = Institution.Kind.DEPARTMENT if country.pk == "CH" else Institution.Kind.MINISTRY
    institution, _created = Institution.objects.get_or_create(
        country=country,
        name=HEALTH_MINISTRIES[country.pk],
        defaults={"kind": kind, "parent_id": keys.get(f"{country.pk}/government")},
    )
    return institution
