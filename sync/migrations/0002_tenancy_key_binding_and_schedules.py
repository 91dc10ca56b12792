"""Bind each stored SLNG key to its target's URLs, and rewrite sync schedules to name both the
target and its organization (issue 11).

Schedules named after a target ("sync <target public id>") get their task, arguments and
routing rewritten from that target, whatever they held. Other periodic tasks of
``sync.run_target`` keep their old arguments, which the task now refuses and logs.
"""

import json

from django.db import migrations, models
from django.utils import timezone

from sync.crypto import SecretUnreadable, secret_decrypt, secret_mac


def _binding(target):
    return json.dumps(
        [
            target.public_id,
            target.organization_id,
            target.base_url,
            target.ws_url,
            target.encrypted_api_key,
        ]
    )


def bind_keys(apps, schema_editor):
    SyncTarget = apps.get_model("sync", "SyncTarget")
    for target in SyncTarget.objects.all():
        try:
            secret_decrypt(target.encrypted_api_key)
        except SecretUnreadable:
            continue  # unusable anyway: the key must be entered again
        target.api_key_binding = secret_mac(_binding(target))
        target.save(update_fields=["api_key_binding"])


def rewrite_schedules(apps, schema_editor):
    SyncTarget = apps.get_model("sync", "SyncTarget")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for target in SyncTarget.objects.select_related("organization"):
        PeriodicTask.objects.filter(name=f"sync {target.public_id}").update(
            task="sync.run_target",
            args=json.dumps([target.public_id, target.organization.public_id, "schedule"]),
            kwargs="{}",
            queue=None,
            exchange=None,
            routing_key=None,
            headers="{}",
            priority=None,
        )
    _beat_reload(apps)


def _beat_reload(apps):
    """A running beat re-reads its schedule when this changes (queryset updates do not)."""
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def schedules_back(apps, schema_editor):
    SyncTarget = apps.get_model("sync", "SyncTarget")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for target in SyncTarget.objects.all():
        PeriodicTask.objects.filter(name=f"sync {target.public_id}").update(
            args=json.dumps([target.pk, "schedule"])
        )
    _beat_reload(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0001_initial"),
        ("orgs", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="synctarget",
            name="api_key_binding",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(bind_keys, migrations.RunPython.noop),
        migrations.RunPython(rewrite_schedules, schedules_back),
    ]
