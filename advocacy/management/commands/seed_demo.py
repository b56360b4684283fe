"""Build a believable demo coalition. Running it twice changes nothing the second time."""

from django.core.management.base import BaseCommand
from django.db import transaction

from advocacy.demo import DEMO_PASSWORD, seed_core


class Command(BaseCommand):
    help = "Load demo organisations, users in every role and campaigns (idempotent)."

    def handle(self, *args, **options) -> None:
        # The one place that knows every app: each seeds its own demo rows, in
        # dependency order, so the core never imports the apps built on it.
        from campaigns.calendar_demo import seed_calendar
        from campaigns.demo import seed_campaigns, seed_policy_hooks
        from campaigns.reminders_demo import seed_reminders
        from contacts.demo import seed_contacts
        from letters.demo import ORGANISATION as LETTERS_ORGANISATION
        from letters.demo import seed_letters
        from meetings.demo import seed_meetings

        with transaction.atomic():
            logins = seed_core()
            seed_campaigns()
            seed_contacts()
            seed_policy_hooks()
            seed_calendar()
            seed_reminders()
            seed_meetings()
            seed_letters()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /accounts/sign-in/"))
        self.stdout.write(f"Every demo account uses the password: {DEMO_PASSWORD}")
        for user, organisation, role in logins:
            self.stdout.write(f"  {user.email:<40} {role:<12} {organisation}")
        letters_organisation = next(
            (org for _, org, _ in logins if org.slug == LETTERS_ORGANISATION), None
        )
        if letters_organisation is not None:
            self.stdout.write(
                f"The demo letter actions belong to {letters_organisation}: "
                "sign in as one of its members to see them."
            )
