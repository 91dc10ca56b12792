"""A run's plan: what each dictionary needs on a target, decided from data only.

``sync_plan`` reads what the plan needs (the target's due revisions from ``sync.channels``, its
states, the due revisions' bodies) and hands it with SLNG's list to the pure ``plan``: create,
replace (SLNG has no update: DELETE then POST at once), unchanged (compared by content, so
unchanged costs no write), prune, or refused (compiled over SLNG's limits: nothing is sent).
``sync.runner`` executes it; ``sync.services`` re-exports these names.

``derive`` is the one step that turns a due revision's body into what the target receives:
it flattens the dictionary with its layers, each at the revision the target serves of it
(``pronunciations.layers``; disabled rules left out), then compiles the IPA rules for the
target's model (``sync.compile``). A dictionary that includes layers is compared with SLNG by
content on every run (a layer's new revision changes it without a revision of its own); a
dictionary marked "layer only" is not pushed on its own (pruned, like a deletion, when the
target prunes).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from orgs.scoping import restrict
from pronunciations import layers
from pronunciations.models import Dictionary, Include, Revision
from pronunciations.selectors import approved_revision
from pronunciations.validation import MAX_RULES_PER_MODE, normalize_name
from sync.channels import Due, due_payloads, dues
from sync.compile import Compiled, compilation, compile_payload
from sync.models import Channel, SyncState, SyncStatus, SyncTarget
from sync.system_actors import SYNC_RUN

Action = Literal["create", "replace", "unchanged", "prune", "refused"]
Progress = Callable[[int, int, "PlanItem"], None]


@dataclass
class PlanItem:
    """One step of a run. A create, replace or unchanged item names the revision it pushes
    (``revision``, ``content_hash``) and carries SLNG's body (``payload``); an unchanged item
    already verified at that revision carries none (nothing to send or check). ``compiled``
    names the markup the payload was compiled with; a refused item says why in ``refusal``."""

    action: Action
    name: str
    dictionary: Dictionary | None = None
    upstream: dict[str, Any] | None = None
    state: SyncState | None = None
    revision: int | None = None
    content_hash: str = ""
    payload: dict[str, Any] | None = None
    compiled: str = ""
    refusal: str = ""


def derive(
    payload: dict[str, Any], target: SyncTarget, resolve: layers.Resolve | None = None
) -> Compiled:
    """What the target receives of a due revision's body: the one step every push goes through.
    Flattened first (its layers as the target serves them: ``resolve``, by default each
    layer's due revision on the target), then compiled for the target's model."""
    body, over = flattened(payload, resolve or layer_resolver(target))
    compiled = compile_payload(body, target.model)
    return replace(compiled, over_limit=over) if over and not compiled.over_limit else compiled


def flattened(payload: dict[str, Any], resolve: layers.Resolve) -> tuple[dict[str, Any], str]:
    """The body flattened with its layers, without disabled rules, and why SLNG would refuse
    it ("" when it fits)."""
    snapshot = {**payload, "includes": payload.get("includes") or []}
    flat = layers.flatten(layers.content_of(payload["name"], None, snapshot), resolve)
    body = {"name": payload["name"], "modes": flat.wire, "metadata": payload["metadata"]}
    over = ", ".join(f"{count} {mode} rules" for mode, count in flat.over_limit.items())
    if over:
        over = (
            f"flattened with its layers, the dictionary has {over}, over SLNG's limit of "
            f"{MAX_RULES_PER_MODE} a mode: nothing was sent"
        )
    return body, over


def layer_resolver(target: SyncTarget) -> layers.Resolve:
    """Each layer (a live dictionary of the target's organization, by normalized name) at the
    revision the target's channel serves of it (its current one, or on ``approved`` its
    approved one), read once per run."""
    cache: dict[str, layers.Content | None] = {}

    def resolve(name: str) -> layers.Content | None:
        if name not in cache:
            cache[name] = _layer_content(target, name)
        return cache[name]

    return resolve


def _layer_content(target: SyncTarget, name: str) -> layers.Content | None:
    live = (
        restrict(Dictionary, SYNC_RUN)
        .filter(
            organization_id=target.organization_id, normalized_name=name, deleted_at__isnull=True
        )
        .first()
    )
    if live is None:
        return None
    # A layer's revision as the target's channel serves it. ``after`` is left out: a layer only
    # is never pushed, so never verified anywhere; its includers are, with it.
    number: int | None = live.revision
    if target.channel == Channel.APPROVED:
        approved = approved_revision(live)
        number = None if approved is None else approved.number
    if number is None:
        return None
    snapshot = restrict(Revision, SYNC_RUN).get(dictionary=live, number=number).snapshot
    return layers.content_of(live.name, number, snapshot)


def same_content(payload: dict[str, Any], upstream: dict[str, Any]) -> bool:
    """Upstream equals local when modes and metadata are equal (SLNG's hash is opaque)."""
    upstream_modes = {k: v for k, v in upstream.get("modes", {}).items() if v.get("rules")}
    local_modes = {k: v for k, v in payload["modes"].items() if v.get("rules") or k == "rewrite"}
    upstream_modes.setdefault("rewrite", {"rules": []})
    return upstream_modes == local_modes and (upstream.get("metadata") or {}) == payload["metadata"]


def untouched(
    state: SyncState | None, due: Due, found: dict[str, Any], compiled: str | None = None
) -> bool:
    """Verified at the due revision, compiled as the target compiles now (``compiled``, when
    given), and upstream still holds what we pushed (same id and hash).

    Such a dictionary needs no content loading and no comparison: this is what keeps an
    unchanged re-sync to one list call (bench/sync.py).
    """
    return (
        state is not None
        and state.status == SyncStatus.VERIFIED
        and state.pushed_revision == due.number
        and state.upstream_id == found.get("id")
        and state.upstream_hash == found.get("content_hash")
        and (compiled is None or state.compiled_with == compiled)
    )


def upstream_by_key(upstream_list: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """SLNG's list by lookup key (its normalized name, or ours of its name)."""
    return {d.get("normalized_name") or normalize_name(d["name"]): d for d in upstream_list}


def winners(dues: Iterable[Due]) -> dict[str, Due]:
    """One due revision per name: a name deleted and created again (or restored) has several
    dictionaries; the newest due revision among them says what the name should be upstream."""
    by_name: dict[str, Due] = {}
    for due in dues:
        held = by_name.get(due.dictionary.normalized_name)
        if held is None or (due.at, due.dictionary.pk) > (held.at, held.dictionary.pk):
            by_name[due.dictionary.normalized_name] = due
    return by_name


def plan(
    *,
    dues: Mapping[str, Due],
    upstream: Mapping[str, dict[str, Any]],
    states: Mapping[int, SyncState],
    payloads: Mapping[int, dict[str, Any]],
    prune: bool,
    compiled: str | None = None,
    refusals: Mapping[int, str] | None = None,
    layered: frozenset[int] = frozenset(),
) -> list[PlanItem]:
    """What a run must do, decided from data only (no query, no request): pure.

    ``dues`` is each name's due revision (``winners``), ``upstream`` SLNG's list by key,
    ``states`` the target's states by dictionary pk, ``payloads`` the bodies of the due
    revisions that are not ``untouched`` (derived: ``derive``), compiled with ``compiled``;
    ``refusals`` why some may not be sent; ``layered`` the dictionaries that include layers,
    compared by content even at a verified revision (a layer's change reaches them; an
    unchanged one costs no write and no verification). A due deletion prunes upstream (when
    ``prune``); a name without a due revision, or upstream only, is left alone.
    """
    refusals = refusals or {}
    items: list[PlanItem] = []
    prunes: list[PlanItem] = []
    for key in sorted(dues):
        due, found = dues[key], upstream.get(key)
        dictionary, state = due.dictionary, states.get(due.dictionary.pk)
        if due.deleted:
            if prune and found is not None:
                prunes.append(PlanItem("prune", found["name"], upstream=found))
            continue
        item = PlanItem(
            "unchanged", dictionary.name, dictionary, found, state, due.number, due.content_hash
        )
        item.compiled = compiled or ""
        fresh = _fresh(due, states, upstream, key, compiled)
        if fresh and dictionary.pk in layered:  # verified: unless a layer changed it since
            fresh = found is not None and same_content(payloads[dictionary.pk], found)
        if not fresh:
            item.payload = payloads[dictionary.pk]
            if refusal := refusals.get(dictionary.pk, ""):
                item.action, item.refusal = "refused", refusal
            elif found is None:
                item.action = "create"
            elif not same_content(item.payload, found):
                item.action = "replace"
        items.append(item)
    items.sort(key=lambda item: normalize_name(item.name))
    return items + sorted(prunes, key=lambda item: normalize_name(item.name))


def _fresh(
    due: Due,
    states: Mapping[int, SyncState],
    upstream: Mapping[str, dict[str, Any]],
    key: str,
    compiled: str | None = None,
) -> bool:
    found = upstream.get(key)
    return found is not None and untouched(states.get(due.dictionary.pk), due, found, compiled)


def sync_plan(target: SyncTarget, upstream_list: list[dict[str, Any]]) -> list[PlanItem]:
    """Read what the target's plan needs (its due revisions, states, bodies) and plan."""
    upstream = upstream_by_key(upstream_list)
    states = {s.dictionary_id: s for s in restrict(SyncState, SYNC_RUN).filter(target=target)}
    due = _layers_only_withheld(target, winners(dues(target)))
    markup = compilation(target.model)
    layered = frozenset(
        restrict(Include, SYNC_RUN)
        .filter(dictionary__organization_id=target.organization_id)
        .values_list("dictionary_id", flat=True)
    )
    stale = [
        d
        for key, d in due.items()
        if not d.deleted
        and (d.dictionary.pk in layered or not _fresh(d, states, upstream, key, markup))
    ]
    derived = {pk: derive(payload, target) for pk, payload in due_payloads(stale).items()}
    return plan(
        dues=due,
        upstream=upstream,
        states=states,
        payloads={pk: found.payload for pk, found in derived.items()},
        prune=target.prune,
        compiled=markup,
        refusals={pk: found.over_limit for pk, found in derived.items() if found.over_limit},
        layered=layered,
    )


def _layers_only_withheld(target: SyncTarget, due: dict[str, Due]) -> dict[str, Due]:
    """A dictionary marked "layer only" is not pushed on its own: planned as a deletion."""
    only = set(
        restrict(Dictionary, SYNC_RUN)
        .filter(organization_id=target.organization_id, layer_only=True)
        .values_list("pk", flat=True)
    )
    return {
        key: replace(d, deleted=True) if d.dictionary.pk in only else d for key, d in due.items()
    }
