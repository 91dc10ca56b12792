"""Bind each stored SLNG key to its target's model route too (issue 22).

A key whose binding matched its target's URLs is bound again to the URLs, the model and the
verify route as they are; a key that was already unusable stays so (it must be entered again).
"""

import json

from django.db import migrations

from sync.crypto import secret_mac, secret_mac_matches

_URLS = ("public_id", "organization_id", "base_url", "ws_url", "encrypted_api_key")


def _old_binding(target):
    return json.dumps([getattr(target, field) for field in _URLS])


def _binding(target):
    return json.dumps(
        [*(getattr(target, field) for field in _URLS), target.model, target.verify_route]
    )


def rebind_keys(apps, schema_editor):
    SyncTarget = apps.get_model("sync", "SyncTarget")
    for target in SyncTarget.objects.exclude(api_key_binding=""):
        if secret_mac_matches(_old_binding(target), target.api_key_binding):
            target.api_key_binding = secret_mac(_binding(target))
            target.save(update_fields=["api_key_binding"])


class Migration(migrations.Migration):
    dependencies = [("sync", "0007_target_concurrency")]

    operations = [migrations.RunPython(rebind_keys, migrations.RunPython.noop)]
