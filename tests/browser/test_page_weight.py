"""Page weight: what a campaigner on a slow, expensive connection downloads for a page.

Each page loads in a fresh browser context, so nothing comes from the cache. The live server
does not compress, so every body is gzipped here (level 9, as whitenoise does for the static
files it serves pre-compressed; HTML as a compressing proxy would) and the sizes are added up.
Run with `-s` to see the figures.
"""

import gzip
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests import factories

BUDGET_BYTES = 60 * 1024


def cold_load(page: Page, path: str) -> list[dict]:
    """Every response the page needed, with its size as sent and gzipped."""
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(path, wait_until="networkidle")
    resources = []
    for response in responses:
        if 300 <= response.status < 400:
            continue  # a redirect carries no body worth counting
        body = response.body()
        resources.append(
            {
                "path": urlsplit(response.url).path,
                "type": response.request.resource_type,
                "bytes": len(body),
                "gzipped": len(gzip.compress(body, compresslevel=9)),
            }
        )
    # The page first, then the rest in a stable order, so the printed figures compare.
    return sorted(
        resources, key=lambda resource: (resource["type"] != "document", resource["path"])
    )


def report(title: str, resources: list[dict]) -> int:
    total = sum(resource["gzipped"] for resource in resources)
    print(f"\n{title}")
    for resource in resources:
        print(
            f"  {resource['type']:<11} {resource['path']:<32}"
            f" {resource['bytes']:>7,} B  {resource['gzipped']:>7,} B gzipped"
        )
    print(f"  {'total':<44} {sum(r['bytes'] for r in resources):>7,} B  {total:>7,} B gzipped")
    return total


@pytest.fixture
def busy_member(admin_user, organisation):
    """A member whose dashboard is full: a few organisations and a page of campaigns."""
    for n in range(3):
        factories.MembershipFactory(user=admin_user, organisation__name=f"Partner group {n}")
    for n in range(10):
        factories.CampaignFactory(
            organisation=organisation,
            created_by=admin_user,
            name=f"Ratify the treaty in country {n}",
        )
    return admin_user


def test_sign_in_page_stays_within_budget(new_context):
    page = new_context().new_page()
    resources = cold_load(page, "/accounts/sign-in/")

    total = report("Sign-in page, cold cache", resources)
    assert {"document", "stylesheet", "script"} <= {r["type"] for r in resources}
    assert total < BUDGET_BYTES


def test_dashboard_stays_within_budget(new_context, sign_in, busy_member):
    page = new_context().new_page()
    sign_in(page.context, busy_member)
    resources = cold_load(page, "/")

    total = report("Dashboard, cold cache", resources)
    expect(page.get_by_role("link", name="Partner group 2")).to_have_count(2)  # menu and list
    expect(page.get_by_role("link", name="Ratify the treaty")).to_have_count(8)
    assert {"document", "stylesheet", "script"} <= {r["type"] for r in resources}
    assert total < BUDGET_BYTES
