"""Chromium, driven by Playwright's sync API, against pytest-django's live server.

Each test gets a fresh browser context (cookies, cache, storage) and page; the browser
itself is started once per session. Every test in this folder is marked `browser`.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from advocacy.models import User
from tests.browser.helpers import DESKTOP, PHONE

# Playwright's sync API runs an event loop in the test thread; without this Django refuses
# ORM calls from that thread, although they are synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BROWSER_TESTS = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Every page here is local and small; the margin is for machines busy running other suites.
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server) -> Iterator[Callable[..., BrowserContext]]:
    """Open extra browser contexts (another person, another device); all closed afterwards."""
    contexts: list[BrowserContext] = []

    def new_context(*, viewport: dict | None = None, language: str = "en") -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or DESKTOP,
            locale=language,
            extra_http_headers={"Accept-Language": language},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def phone(new_context) -> Page:
    """A page in a phone-sized window (360 by 740 CSS pixels)."""
    return new_context(viewport=PHONE).new_page()


@pytest.fixture
def sign_in(live_server) -> Callable[[BrowserContext, User], None]:
    """Sign a user in to a browser context without going through the form."""

    def sign_in(context: BrowserContext, user: User) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )

    return sign_in
