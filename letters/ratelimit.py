"""Limits on the public sign-up form, counted in the database rather than a cache.

The rows the form writes are the record: they survive restarts, are shared by every web
process, and need no other service. The (ip_address, created_at) index on Signatory serves
the count by address.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from letters.models import Signatory

WINDOW = dt.timedelta(hours=1)
# Sign-ups from one IP address in the window, across every action: a household or an office
# behind one address may sign up together; a script may not.
SIGNUPS_PER_IP = 10
# Sign-ups with one email address in the window, across every action.
SIGNUPS_PER_EMAIL = 5
# One confirmation email per sign-up at most this often, however often the form is sent.
RESEND_AFTER = dt.timedelta(minutes=10)


def ip_exhausted(ip_address: str | None, *, now: dt.datetime | None = None) -> bool:
    """Whether this IP address has used up its sign-ups for now. One query."""
    if not ip_address:
        return False
    since = (now or timezone.now()) - WINDOW
    recent = Signatory.objects.filter(ip_address=ip_address, created_at__gte=since)
    return recent.count() >= SIGNUPS_PER_IP


def email_exhausted(email: str, *, now: dt.datetime | None = None) -> bool:
    """Whether this email address has used up its sign-ups for now. One query."""
    since = (now or timezone.now()) - WINDOW
    recent = Signatory.objects.filter(email__iexact=email, created_at__gte=since)
    return recent.count() >= SIGNUPS_PER_EMAIL


def resend_allowed(signatory: Signatory, *, now: dt.datetime | None = None) -> bool:
    sent = signatory.confirmation_sent_at
    return sent is None or sent <= (now or timezone.now()) - RESEND_AFTER
