"""Sync runs exist from the moment they are queued (issue 16): a public id to poll them by
(``run_<ulid>``; existing runs get one each), ``queued_at``, the ``queued`` and ``superseded``
statuses, and progress (``planned`` items, ``done`` so far)."""

from django.db import migrations, models

import sync.models


def _give_public_ids(apps, schema_editor):  # noqa: ANN001 - migration signature
    SyncRun = apps.get_model("sync", "SyncRun")
    runs = list(SyncRun.objects.filter(public_id__isnull=True).only("pk"))
    for run in runs:
        run.public_id = sync.models.new_run_id()
    SyncRun.objects.bulk_update(runs, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0004_channels"),
    ]

    operations = [
        migrations.AddField(
            model_name="syncrun",
            name="public_id",
            field=models.CharField(editable=False, max_length=40, null=True),
        ),
        migrations.RunPython(_give_public_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="syncrun",
            name="public_id",
            field=models.CharField(
                default=sync.models.new_run_id, editable=False, max_length=40, unique=True
            ),
        ),
        migrations.AddField(
            model_name="syncrun",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="syncrun",
            name="planned",
            field=models.PositiveIntegerField(
                blank=True, help_text="Items (dictionaries) in the run's plan, once known.", null=True
            ),
        ),
        migrations.AddField(
            model_name="syncrun",
            name="done",
            field=models.PositiveIntegerField(default=0, help_text="Items of the plan done so far."),
        ),
        migrations.AlterField(
            model_name="syncrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("succeeded", "Succeeded"),
                    ("failed", "Failed"),
                    ("superseded", "Superseded"),
                ],
                default="running",
                max_length=16,
            ),
        ),
    ]
