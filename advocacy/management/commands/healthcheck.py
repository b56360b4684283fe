"""The /healthz report on the command line, for container health checks and operators."""

import json

from django.core.management.base import BaseCommand, CommandError

from advocacy import health


class Command(BaseCommand):
    help = "Print the state of the database, broker and worker as JSON; exit 1 if any is down."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--component",
            action="append",
            choices=list(health.CHECKS),
            help="Check only this part (repeatable); all of them by default.",
        )

    def handle(self, *args, component: list[str] | None = None, **options) -> None:
        healthy, report = health.check_all(component)
        down = [name for name, part in report.items() if part["status"] != "ok"]
        report["status"] = "ok" if healthy else "down"
        self.stdout.write(json.dumps(report))
        if not healthy:
            raise CommandError(f"Down: {', '.join(down)}", returncode=1)
