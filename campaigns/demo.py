"""Demo campaigns for the demo coalition (see advocacy/demo.py)."""

from advocacy.models import Membership, Organisation, User, Visibility
from campaigns.models import Campaign

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


def seed_campaigns() -> None:
    organisations = {
        o.slug: o for o in Organisation.objects.filter(slug__in=[c[0] for c in CAMPAIGNS])
    }
    for slug, name, visibility, goal in CAMPAIGNS:
        organisation = organisations[slug]
        author = User.objects.get(
            memberships__organisation=organisation, memberships__role=Membership.Role.COORDINATOR
        )
        Campaign.objects.update_or_create(
            organisation=organisation,
            name=name,
            defaults={"visibility": visibility, "goal": goal, "created_by": author},
        )
