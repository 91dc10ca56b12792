"""Small builders that create valid objects through services."""

from typing import Any

from orgs.models import Organization
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_create


def rewrite_rules(count: int, *, prefix: str = "word") -> list[dict[str, str]]:
    return [{"match": f"{prefix}{i}", "replace": f"replacement {i}"} for i in range(count)]


def make_dictionary(
    organization: Organization, name: str = "brand", *, rules: int = 2, **extra: Any
) -> Dictionary:
    modes = extra.pop("modes", {"rewrite": {"rules": rewrite_rules(rules)}})
    return dictionary_create(organization=organization, name=name, modes=modes, **extra)
