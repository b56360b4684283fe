"""The demo's treaties, with the public record for the demo countries, and its campaigns with
everything a campaign page shows."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from campaigns.models import Campaign, PolicyHook, Treaty, TreatyStatus

Status = TreatyStatus.Status


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())


def statuses(code: str) -> dict[str, str]:
    return dict(TreatyStatus.objects.filter(treaty__code=code).values_list("country_id", "status"))


def test_the_cluster_munitions_convention_has_its_dates_and_the_demo_countries(seeded):
    ccm = Treaty.objects.get(code="ccm")

    assert (ccm.adopted_on, ccm.entry_into_force_on) == (dt.date(2008, 5, 30), dt.date(2010, 8, 1))
    assert statuses("ccm") == {
        "BI": Status.SIGNATORY,
        "FJ": Status.STATE_PARTY,
        "LB": Status.STATE_PARTY,
        "VN": Status.NOT_SIGNED,
        "GB": Status.STATE_PARTY,
        "CO": Status.STATE_PARTY,
        "CH": Status.STATE_PARTY,
    }
    burundi = TreatyStatus.objects.get(treaty=ccm, country="BI")
    assert (burundi.signed_on, burundi.consent_on) == (dt.date(2008, 12, 3), None)
    uk = TreatyStatus.objects.get(treaty=ccm, country="GB")
    assert list(uk.changes.order_by("changed_on").values_list("status", flat=True)) == [
        Status.SIGNATORY,
        Status.RATIFIED,
        Status.STATE_PARTY,
    ]


def test_the_mine_ban_treaty_has_every_demo_country_but_lebanon_and_viet_nam(seeded):
    mbt = Treaty.objects.get(code="mbt")

    assert mbt.entry_into_force_on == dt.date(1999, 3, 1)
    parties = {code for code, value in statuses("mbt").items() if value == Status.STATE_PARTY}
    assert parties == {"BI", "FJ", "GB", "CO", "CH"}
    assert statuses("mbt")["LB"] == statuses("mbt")["VN"] == Status.NOT_SIGNED


def test_every_demo_campaign_is_filled_in(seeded):
    for campaign in Campaign.objects.prefetch_related("facts", "members", "countries"):
        assert campaign.treaty is not None, campaign
        assert campaign.countries.exists(), campaign
        assert campaign.key_messages.exists(), campaign
        assert campaign.asks.exists(), campaign
        assert all(fact.source_url and fact.checked_by for fact in campaign.facts.all()), campaign
        assert campaign.policy_hooks.filter(is_lead=True).exists(), campaign
        assert {member.role for member in campaign.members.all()} == {"lead", "member"}, campaign


def test_a_health_ministry_cares_about_victim_assistance_in_lebanon(seeded):
    campaign = Campaign.objects.get(name="Victim assistance in Lebanon's national budget")

    hook = PolicyHook.objects.get(campaign=campaign, institution__name="Ministry of Public Health")

    assert hook.institution.country_id == "LB"
    assert (hook.is_lead, hook.tag.name) == (False, "health")
    assert "victim assistance" in hook.hook


def test_seeding_again_adds_and_changes_nothing(seeded):
    def snapshot():
        return (
            list(TreatyStatus.objects.order_by("pk").values()),
            list(PolicyHook.objects.order_by("pk").values()),
            [
                (c.pk, c.updated_at, c.key_messages.count(), c.facts.count(), c.members.count())
                for c in Campaign.objects.order_by("pk")
            ],
        )

    before = snapshot()
    call_command("seed_demo", stdout=StringIO())

    assert snapshot() == before
