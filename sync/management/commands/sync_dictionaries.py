"""``manage.py sync_dictionaries --org SLUG [--target NAME] [--dry-run] [--wait]``."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orgs.actors import Actor
from orgs.commands import add_org_argument, organization_from_options
from orgs.scoping import restrict
from sync import services
from sync.client import SlngError
from sync.enqueue import publish_run
from sync.errors import TargetKeyUnusable
from sync.models import RunStatus, SyncTarget

# A command reads as whoever has the server's shell: every organization (its options narrow).
COMMAND = Actor.for_command("sync_dictionaries")


class Command(BaseCommand):
    help = (
        "Sync an organization's dictionaries to its SLNG targets. Prints the plan; --dry-run "
        "stops there; --wait runs here to completion with progress and exits 1 if anything "
        "failed; otherwise the run is queued for the workers."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_org_argument(parser, deprecated_positional=True)
        parser.add_argument("--target", help="only this target (default: every enabled one)")
        parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
        parser.add_argument("--wait", action="store_true", help="run here and wait for the result")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_from_options(self, options)
        targets = (
            restrict(SyncTarget, COMMAND)
            .filter(organization=organization, enabled=True)
            .select_related("organization")
        )
        if options["target"]:
            targets = targets.filter(name=options["target"])
        if not targets.exists():
            raise CommandError("no enabled sync target matches")
        failed = False
        for target in targets.order_by("name"):
            try:
                self._print_plan(target)
            except SlngError as exc:
                raise CommandError(f"{target}: SLNG cannot be reached: {exc.message}") from exc
            except TargetKeyUnusable as exc:
                raise CommandError(f"{target}: {exc}") from exc
            if options["dry_run"]:
                continue
            if options["wait"]:
                failed |= not self._run(target)
            elif run := publish_run(target, "manual"):
                self.stdout.write(f"{target}: run {run.public_id} queued")
            else:
                raise CommandError("the broker is unreachable; use --wait to run here")
        if failed:
            raise CommandError("some dictionaries failed to sync (see above)")

    def _print_plan(self, target: SyncTarget) -> None:
        plan = services.target_plan(
            target_id=target.public_id, organization_id=target.organization.public_id
        )
        counts: dict[str, int] = {}
        for item in plan:
            counts[item.action] = counts.get(item.action, 0) + 1
            if item.action != "unchanged":
                self.stdout.write(f"  {item.action:9} {item.name}")
        summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items())) or "nothing"
        self.stdout.write(f"{target}: plan: {summary}")

    def _run(self, target: SyncTarget) -> bool:
        def progress(done: int, total: int, item: services.PlanItem) -> None:
            self.stderr.write(f"\r  [{done}/{total}] {item.action} {item.name}\x1b[K", ending="")

        try:
            run = services.target_run(
                target_id=target.public_id,
                organization_id=target.organization.public_id,
                trigger="manual",
                progress=progress,
            )
        except services.TargetBusy as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write("")
        self.stdout.write(
            f"{target}: {run.status} in {run.duration_ms} ms: created {run.created}, replaced "
            f"{run.replaced}, deleted {run.deleted}, unchanged {run.unchanged}, verified "
            f"{run.verified}, failed {run.failed}{', ' + run.error if run.error else ''}"
        )
        return run.status == RunStatus.SUCCEEDED
