"""Rules get a stored comparison key; the unique constraint moves from lower(match) to it.

PostgreSQL's lower() and the validation's case folding disagree (``İ`` and ``i`` are one to
lower(), two to casefold()), so an insert that validation allowed could fail on the index.
"""

from django.db import migrations, models


def _key(match: str) -> str:
    # Frozen copy of pronunciations.engine.rule_key at the time of this migration.
    return " ".join(match.split()).casefold()


def fill_keys(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    rule_model = apps.get_model("pronunciations", "Rule")
    seen: dict[tuple[int, str, str], int] = {}
    batch = []
    for rule in rule_model.objects.order_by("dictionary_id", "mode", "position").iterator():
        rule.key = _key(rule.match)
        first = seen.setdefault((rule.dictionary_id, rule.mode, rule.key), rule.pk)
        if first != rule.pk:
            # Validation has always refused these; only a raw write could have stored one.
            raise RuntimeError(
                f"rules {first} and {rule.pk} of dictionary {rule.dictionary_id} ({rule.mode}) "
                f"have the same match key {rule.key!r}; remove one, then migrate again"
            )
        batch.append(rule)
        if len(batch) == 2000:
            rule_model.objects.bulk_update(batch, ["key"])
            batch = []
    rule_model.objects.bulk_update(batch, ["key"])


class Migration(migrations.Migration):
    dependencies = [("pronunciations", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="rule", name="rule_unique_match_per_mode"),
        migrations.AddField(
            model_name="rule",
            name="key",
            field=models.CharField(default="", editable=False, max_length=384),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="rule",
            constraint=models.UniqueConstraint(
                fields=("dictionary", "mode", "key"), name="rule_unique_key_per_mode"
            ),
        ),
    ]
