"""``manage.py purge_idempotency_keys``: delete Idempotency-Keys older than a day."""

from typing import Any

from django.core.management.base import BaseCommand

from core.idempotency import purge


class Command(BaseCommand):
    help = (
        "Delete the Idempotency-Keys of every organization kept longer than 24 hours (each "
        "organization's are also purged whenever it sends one); prints how many."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"purged {purge()} expired idempotency keys")
