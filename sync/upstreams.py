"""Two targets on one SLNG organization must send the same dictionaries: the refusal rule.

A dictionary's name is its identity on SLNG, and a target pushes what it compiled for its own
model (``sync.compile``). Two targets of an organization with the same base URL and the same
key push to the same SLNG organization; if their models compile differently, each run would
replace the other's dictionaries. Such a second target is refused when it is set up (or
changed), naming the first; targets whose models compile alike may share an upstream.
"""

import hmac

from orgs.actors import Actor
from orgs.models import Organization
from orgs.scoping import restrict
from sync.compile import compilation
from sync.crypto import SecretUnreadable, secret_decrypt
from sync.models import SyncTarget

# Lexicon reading on its own account (orgs.scoping: every organization).
VALIDATION = Actor.system("target validation")


def _key(target: SyncTarget) -> str:
    try:
        return secret_decrypt(target.encrypted_api_key)
    except SecretUnreadable:
        return ""


def shared_upstream_problem(
    *,
    organization: Organization,
    stored: SyncTarget | None,
    base_url: str,
    api_key: str,
    model: str,
) -> str | None:
    """Why a target with these settings would overwrite another's dictionaries, or None.

    ``api_key`` blank means the stored target's key is kept.
    """
    key = api_key.strip() or (_key(stored) if stored is not None else "")
    if not key:
        return None
    mine = compilation(model)
    others = restrict(SyncTarget, VALIDATION).filter(organization=organization, base_url=base_url)
    if stored is not None:
        others = others.exclude(pk=stored.pk)
    for other in others.only("name", "model", "encrypted_api_key").order_by("name"):
        theirs = compilation(other.model)
        if theirs != mine and hmac.compare_digest(_key(other), key):
            return (
                f"Target “{other.name}” pushes to the same SLNG organization (same URL and key) "
                f"for {other.model}, whose dictionaries are compiled as {theirs}; {model} needs "
                f"them compiled as {mine}, so each would overwrite the other's. Use another SLNG "
                "organization (key) for this target, or a model that compiles alike."
            )
    return None
