"""A system check: stored dictionaries whose names URLs cannot keep (issue 22)."""

from typing import Any

from django.core import checks
from django.db import DatabaseError

from orgs.actors import Actor
from orgs.scoping import restrict
from pronunciations.models import Dictionary
from pronunciations.validation import name_errors

# Lexicon reading on its own account (orgs.scoping: every organization).
NAMES_CHECK = Actor.system("stored names check")

LISTED = 20
# The names name_errors refuses today that earlier versions stored: those only of dots.
_DOTS_ONLY = r"^\.+$"


@checks.register("lexicon")
def unaddressable_names_check(app_configs: Any = None, **_: Any) -> list[checks.CheckMessage]:
    """Warn about live dictionaries named ``.``, ``..`` (or only dots): HTTP clients remove such
    path segments, so their updates and deletes never reached SLNG. A database that cannot be
    read (not migrated yet, down) is left to the commands that need it."""
    try:
        found = list(
            restrict(Dictionary, NAMES_CHECK)
            .filter(deleted_at__isnull=True, name__regex=_DOTS_ONLY)
            .select_related("organization")
            .order_by("organization__slug", "name")[: LISTED + 1]
        )
    except DatabaseError:
        return []
    warnings: list[checks.CheckMessage] = [
        checks.Warning(
            f"Dictionary {dictionary.name!r} ({dictionary.public_id}) of organization "
            f"{dictionary.organization.slug!r} has a name URLs cannot keep: "
            f"{'; '.join(name_errors(dictionary.name))}.",
            hint="Export its rules, delete it in the admin and import them under another name.",
            obj=dictionary,
            id="pronunciations.W001",
        )
        for dictionary in found[:LISTED]
    ]
    if len(found) > LISTED:
        warnings.append(checks.Warning(f"More than {LISTED} such.", id="pronunciations.W001"))
    return warnings
