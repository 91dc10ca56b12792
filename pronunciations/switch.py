"""Switching one rule off (kept, versioned, never pushed nor previewed) or back on."""

from orgs.actors import UNKNOWN, Actor
from orgs.models import Organization
from pronunciations import selectors, services
from pronunciations.content import current_wire, modes_from_wire, rule_index
from pronunciations.errors import RuleNotFound
from pronunciations.models import Dictionary, Mode, Source


def rule_switch(
    *,
    organization: Organization,
    name: str,
    mode: Mode,
    match: str,
    disabled: bool,
    if_match: str | None = None,
    author: Actor = UNKNOWN,
    source: str = Source.ADMIN,
) -> Dictionary:
    """Switch the rule of ``mode`` whose match compares equal to ``match`` off (``disabled``)
    or on: a new revision like any change (nothing when it already is so). Raises
    DictionaryNotFound, RuleNotFound or PreconditionFailed."""
    dictionary = selectors.dictionary_get(organization=organization, name=name)
    wire = current_wire(dictionary)
    rules = wire.get(mode.value, {}).get("rules", [])
    index = rule_index(modes_from_wire(wire).get(mode, ()), match)
    if index is None:
        raise RuleNotFound(dictionary.name, mode.value, match)
    rule = {key: value for key, value in rules[index].items() if key != "disabled"}
    rules[index] = {**rule, "disabled": True} if disabled else rule
    word = "off" if disabled else "on"
    return services.dictionary_update(
        organization=organization,
        name=dictionary.name,
        modes=wire,
        partial=True,
        # the rules were read before the update locks the row: a change made in between fails
        # the ETag of what was read (412), where it would otherwise be overwritten unseen
        if_match=if_match or dictionary.etag,
        author=author,
        source=source,
        comment=f"switched {word} {mode.value} rule {rules[index]['match']}",
        keep_disabled=False,
    )
