"""The inbox: notifications, their unread count, and the emails that point to them.

Every notification lives here first; email is only a channel. Emails carry a generic line
and a link, never the title or text: a reminder may name the people we lobby, and mail
passes through servers and phones we do not control.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from advocacy.mail import absolute_url
from advocacy.models import Notification, User
from advocacy.zones import zone

logger = logging.getLogger(__name__)

# The digest goes out at the first run of its task after this hour, in the user's own zone.
DIGEST_HOUR = 8
# A digest lists this many links at most; the inbox has the rest.
DIGEST_MAX_ITEMS = 50


# Services ----------------------------------------------------------------------------------


def notification_create(
    *, recipient: User, source_key: str, title: str, body: str = "", url: str = ""
) -> tuple[Notification, bool]:
    """The recipient's notification for `source_key`, made if there is none yet.

    Call it inside a transaction: the unread count moves with the new row or not at all.
    """
    # Links point inside the app; anything else would be a way out of it (or a script).
    if not url.startswith("/") or url.startswith("//"):
        url = ""
    notification, created = Notification.objects.get_or_create(
        recipient=recipient,
        source_key=source_key,
        defaults={"title": title[:300], "body": body, "url": url[:500]},
    )
    if created:
        User.objects.filter(pk=recipient.pk).update(
            unread_notifications=F("unread_notifications") + 1
        )
    return notification, created


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark some (or all) of the user's unread notifications read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    # The count moves by exactly the rows this statement changed, so a notification
    # delivered at the same moment keeps its place in it.
    count = unread.update(read_at=timezone.now())
    if count:
        User.objects.filter(pk=user.pk).update(
            unread_notifications=Greatest(F("unread_notifications") - count, 0)
        )
    return count


def notification_email(*, notification: Notification) -> None:
    """Email the recipient a link to one notification. Raises on network errors."""
    recipient = notification.recipient
    context = {"url": absolute_url(notification.get_absolute_url()), "site_url": settings.SITE_URL}
    with translation.override(recipient.language):
        subject = render_to_string("advocacy/notifications/email_subject.txt", context).strip()
        body = render_to_string("advocacy/notifications/email_body.txt", context)
    send_mail(subject, body, None, [recipient.email])
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])


def digests_send_due(*, now: dt.datetime | None = None) -> int:
    """Send today's digest to each user whose local time is past 08:00 and who has not had
    one today. Runs every quarter of an hour; returns how many emails went out.

    A digest that fails (the mail server is down) is tried again on the next run.
    """
    now = now or timezone.now()
    digest_users = User.objects.filter(
        reminder_delivery=User.ReminderDelivery.DIGEST, is_active=True
    )
    sent = 0
    # One query per time zone in use: local time is the same for everyone in it.
    for name in digest_users.values_list("time_zone", flat=True).distinct().order_by():
        local = now.astimezone(zone(name))
        if local.hour < DIGEST_HOUR:
            continue
        today = local.date()
        waiting = digest_users.filter(time_zone=name).filter(
            Q(last_digest_on=None) | Q(last_digest_on__lt=today)
        )
        for user_id in waiting.values_list("pk", flat=True):
            try:
                sent += digest_send(user_id=user_id, today=today, now=now)
            except OSError:  # smtplib and socket errors; the next run tries again
                logger.warning("Digest for user %s not sent", user_id, exc_info=True)
    return sent


@transaction.atomic
def digest_send(*, user_id: int, today: dt.date, now: dt.datetime) -> int:
    """One user's digest for `today`: links to the notifications not yet emailed."""
    # The lock makes two digest runs at the same moment send one email between them.
    user = User.objects.select_for_update().get(pk=user_id)
    if user.last_digest_on and user.last_digest_on >= today:
        return 0
    items = list(
        user.notifications.filter(read_at=None, emailed_at=None, created_at__lte=now)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:DIGEST_MAX_ITEMS]
    )
    if items:
        urls = [absolute_url(Notification(pk=pk).get_absolute_url()) for pk in items]
        inbox_url = absolute_url(reverse("notification_list"))
        context = {"urls": urls, "count": len(urls), "inbox_url": inbox_url}
        with translation.override(user.language):
            subject = render_to_string("advocacy/notifications/digest_subject.txt", context)
            body = render_to_string("advocacy/notifications/digest_body.txt", context)
        send_mail(subject.strip(), body, None, [user.email])
        Notification.objects.filter(pk__in=items).update(emailed_at=now)
    user.last_digest_on = today
    user.save(update_fields=["last_digest_on"])
    return 1 if items else 0


# Views -------------------------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "advocacy/notifications/notification_list.html", {"page": page})


@login_required
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    # Opening a notification is reading it: the link in an email lands here.
    if not notification.is_read:
        notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.read_at = timezone.now()
        request.user.refresh_from_db(fields=["unread_notifications"])
    return render(
        request, "advocacy/notifications/notification_detail.html", {"notification": notification}
    )


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    return _back_to_inbox(request)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return _back_to_inbox(request)


# htmx stops polling when an answer has this status.
HTMX_STOP_POLLING = 286


@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The count in the top bar, polled by htmx; it costs no query beyond the session's user."""
    if not request.user.is_authenticated:
        # Signed out in another tab: stop asking rather than swap a sign-in page into the bar.
        return HttpResponse(status=HTMX_STOP_POLLING)
    response = render(request, "advocacy/notifications/badge.html")
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("", notification_list, name="notification_list"),
    path("badge/", notification_badge, name="notification_badge"),
    path("read/", notification_read_all, name="notification_read_all"),
    path("<int:pk>/", notification_detail, name="notification_detail"),
    path("<int:pk>/read/", notification_read, name="notification_read"),
]
