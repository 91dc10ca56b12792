"""Issue 14: channels. Which revision each target's plan pushes (latest, approved, after another
target's verification), deletions and pruning, and the pure plan itself."""

from datetime import UTC, datetime
from typing import Any

import pytest

from orgs.models import Organization
from pronunciations.content import wire_hash
from pronunciations.models import Dictionary, Revision
from pronunciations.services import dictionary_delete, dictionary_undelete, dictionary_update
from sync.channels import Due
from sync.models import Channel, SyncState, SyncStatus, SyncTarget, Verification
from sync.services import PlanItem, plan, sync_plan, target_create, winners
from tests.factories import make_dictionary
from tests.sync.review import approve, proposing, reject

pytestmark = pytest.mark.django_db

OLD = {"rewrite": {"rules": [{"match": "QP", "replace": "cue pee"}]}}
NEW = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}
NEWER = {"rewrite": {"rules": [{"match": "QubePay", "replace": "queue bay"}]}}


def target_named(organization: Organization, name: str, **options: Any) -> SyncTarget:
    """A target at a made-up URL (plans never call it)."""
    return target_create(
        organization=organization,
        name=name,
        base_url=f"https://{name}.example",
        ws_url=f"wss://{name}.example",
        api_key="sk_test",
        **options,
    )


@pytest.fixture
def latest(organization: Organization) -> SyncTarget:
    return target_named(organization, "staging", prune=True)


@pytest.fixture
def approved(organization: Organization) -> SyncTarget:
    return target_named(organization, "production", prune=True, channel=Channel.APPROVED)


def held(name: str, modes: dict[str, Any]) -> dict[str, Any]:
    """A dictionary as SLNG lists it."""
    return {
        "id": f"up_{name}",
        "name": name,
        "normalized_name": name.lower(),
        "modes": modes,
        "content_hash": wire_hash(modes),
    }


def steps(items: list[PlanItem]) -> list[tuple[str, str, int | None]]:
    return [(item.action, item.name, item.revision) for item in items]


def pushed(items: list[PlanItem], name: str) -> dict[str, Any]:
    [item] = [item for item in items if item.name == name]
    assert item.payload is not None
    return item.payload["modes"]


def verified_on(target: SyncTarget, dictionary: Dictionary, number: int) -> None:
    """Record, as a run does, that revision ``number``'s content was verified on ``target``."""
    revision = dictionary.revisions.get(number=number)
    Verification.objects.create(
        target=target, dictionary=dictionary, content_hash=revision.content_hash, revision=number
    )


def edit(organization: Organization, modes: dict[str, Any], name: str = "brand") -> Dictionary:
    """An editor's change that waits for review."""
    with proposing(organization):
        return dictionary_update(organization=organization, name=name, modes=modes)


# -- latest ------------------------------------------------------------------------------


def test_latest_pushes_every_revision_even_one_waiting_for_review(
    organization: Organization, latest: SyncTarget
) -> None:
    make_dictionary(organization, "brand", modes=OLD)
    edit(organization, NEW)

    items = sync_plan(latest, [held("brand", OLD)])

    assert steps(items) == [("replace", "brand", 2)]
    assert pushed(items, "brand") == NEW


def test_latest_prunes_a_deletion_at_once_even_before_review(
    organization: Organization, latest: SyncTarget
) -> None:
    make_dictionary(organization, "brand", modes=OLD)
    with proposing(organization):
        dictionary_delete(organization=organization, name="brand")

    assert steps(sync_plan(latest, [held("brand", OLD)])) == [("prune", "brand", None)]


def test_without_prune_a_deletion_leaves_upstream_alone_on_every_channel(
    organization: Organization,
) -> None:
    keep_latest = target_named(organization, "staging")
    keep_approved = target_named(organization, "production", channel=Channel.APPROVED)
    make_dictionary(organization, "brand", modes=OLD)
    dictionary_delete(organization=organization, name="brand")

    assert sync_plan(keep_latest, [held("brand", OLD)]) == []
    assert sync_plan(keep_approved, [held("brand", OLD)]) == []


# -- approved ----------------------------------------------------------------------------


def test_with_review_off_an_approved_target_plans_exactly_as_a_latest_one(
    organization: Organization, latest: SyncTarget, approved: SyncTarget
) -> None:
    make_dictionary(organization, "brand", modes=OLD)
    dictionary_update(organization=organization, name="brand", modes=NEW)
    make_dictionary(organization, "gone", modes=OLD)
    dictionary_delete(organization=organization, name="gone")
    make_dictionary(organization, "support")
    upstream = [held("brand", OLD), held("gone", OLD)]

    on_latest, on_approved = sync_plan(latest, upstream), sync_plan(approved, upstream)

    assert (
        steps(on_approved)
        == steps(on_latest)
        == [
            ("replace", "brand", 2),
            ("create", "support", 1),
            ("prune", "gone", None),
        ]
    )
    assert [i.payload for i in on_approved] == [i.payload for i in on_latest]


def test_approved_pushes_the_approved_snapshot_not_the_current_rows(
    organization: Organization, approved: SyncTarget
) -> None:
    make_dictionary(organization, "brand", modes=OLD, metadata={"v": 1})
    with proposing(organization):
        dictionary_update(organization=organization, name="brand", modes=NEW, metadata={"v": 2})

    items = sync_plan(approved, [])

    assert steps(items) == [("create", "brand", 1)]
    first = Revision.objects.get(dictionary__name="brand", number=1)
    assert items[0].payload == {"name": "brand", **first.snapshot}
    assert wire_hash(pushed(items, "brand")) == first.content_hash == items[0].content_hash


def test_approved_holds_what_it_serves_while_a_change_waits(
    organization: Organization, approved: SyncTarget
) -> None:
    make_dictionary(organization, "brand", modes=OLD)
    edit(organization, NEW)

    assert steps(sync_plan(approved, [held("brand", OLD)])) == [("unchanged", "brand", 1)]


def test_approved_takes_a_change_once_it_is_approved(
    organization: Organization, approved: SyncTarget
) -> None:
    brand = make_dictionary(organization, "brand", modes=OLD)
    edit(organization, NEW)
    approve(brand, 2)  # only the newest revision can be approved (issue 23)
    edit(organization, NEWER)

    items = sync_plan(approved, [held("brand", OLD)])

    assert steps(items) == [("replace", "brand", 2)]
    assert pushed(items, "brand") == NEW  # revision 2's content, not the current (3)


def test_a_rejected_change_leaves_the_approved_revision_due(
    organization: Organization, approved: SyncTarget
) -> None:
    brand = make_dictionary(organization, "brand", modes=OLD)
    edit(organization, NEW)

    reject(brand, 2)

    assert steps(sync_plan(approved, [held("brand", OLD)])) == [("unchanged", "brand", 1)]


def test_a_dictionary_never_approved_is_not_created_on_an_approved_target(
    organization: Organization, approved: SyncTarget
) -> None:
    with proposing(organization):
        make_dictionary(organization, "brand", modes=OLD)

    assert sync_plan(approved, []) == []


def test_an_approved_target_prunes_only_once_the_deletion_is_approved(
    organization: Organization, approved: SyncTarget
) -> None:
    brand = make_dictionary(organization, "brand", modes=OLD)
    with proposing(organization):
        dictionary_delete(organization=organization, name="brand")

    waiting = sync_plan(approved, [])
    approve(brand, 2)

    assert steps(waiting) == [("create", "brand", 1)]  # still served: put back if it vanished
    assert pushed(waiting, "brand") == OLD
    assert steps(sync_plan(approved, [held("brand", OLD)])) == [("prune", "brand", None)]


def test_an_approved_undeletion_brings_the_dictionary_back(
    organization: Organization, approved: SyncTarget
) -> None:
    brand = make_dictionary(organization, "brand", modes=OLD)
    dictionary_delete(organization=organization, name="brand")
    with proposing(organization):
        dictionary_undelete(organization=organization, dictionary_id=brand.public_id)

    assert sync_plan(approved, []) == []
    approve(brand, 3)
    assert steps(sync_plan(approved, [])) == [("create", "brand", 3)]


def test_a_name_created_again_is_served_from_its_newest_due_revision(
    organization: Organization, approved: SyncTarget
) -> None:
    make_dictionary(organization, "brand", modes=OLD)
    with proposing(organization):
        dictionary_delete(organization=organization, name="brand")
        make_dictionary(organization, "brand", modes=NEW)

    # Neither the deletion nor the new dictionary is approved: the old content stays due.
    items = sync_plan(approved, [held("brand", OLD)])
    new = Dictionary.objects.get(name="brand", deleted_at__isnull=True)
    approve(new, 1)

    assert steps(items) == [("unchanged", "brand", 1)]
    assert items[0].dictionary is not None
    assert items[0].dictionary.deleted_at is not None
    again = sync_plan(approved, [held("brand", OLD)])
    assert steps(again) == [("replace", "brand", 1)]
    assert again[0].dictionary == new
    assert pushed(again, "brand") == NEW


# -- after -------------------------------------------------------------------------------


def _followed_edit(organization: Organization, latest: SyncTarget) -> tuple[SyncTarget, Dictionary]:
    """A target on latest after ``latest``, and ``brand`` verified there at revision 1, then
    edited (revision 2, review off)."""
    follower = target_named(organization, "production", after=latest)
    brand = make_dictionary(organization, "brand", modes=OLD)
    verified_on(latest, brand, 1)
    dictionary_update(organization=organization, name="brand", modes=NEW)
    return follower, brand


def test_after_serves_only_content_verified_on_the_other_target(
    organization: Organization, latest: SyncTarget
) -> None:
    follower, brand = _followed_edit(organization, latest)

    before = sync_plan(follower, [held("brand", OLD)])
    verified_on(latest, brand, 2)

    assert steps(before) == [("unchanged", "brand", 1)]
    assert steps(sync_plan(follower, [held("brand", OLD)])) == [("replace", "brand", 2)]


def test_nothing_is_created_after_a_target_that_verified_nothing(
    organization: Organization, latest: SyncTarget
) -> None:
    follower = target_named(organization, "production", after=latest)
    make_dictionary(organization, "brand", modes=OLD)

    assert sync_plan(follower, []) == []


def _staged_edit(organization: Organization, latest: SyncTarget) -> tuple[SyncTarget, Dictionary]:
    """Production (approved, after ``latest``) and ``brand`` verified on ``latest`` at revision 1,
    then edited (revision 2, proposed)."""
    production = target_named(organization, "production", channel=Channel.APPROVED, after=latest)
    brand = make_dictionary(organization, "brand", modes=OLD)
    verified_on(latest, brand, 1)
    edit(organization, NEW)
    return production, brand


def test_approved_after_needs_both_approval_and_verification(
    organization: Organization, latest: SyncTarget
) -> None:
    production, brand = _staged_edit(organization, latest)
    upstream = [held("brand", OLD)]

    verified_not_approved = sync_plan(production, upstream)
    verified_on(latest, brand, 2)
    also_verified = sync_plan(production, upstream)
    approve(brand, 2)

    assert steps(verified_not_approved) == steps(also_verified) == [("unchanged", "brand", 1)]
    assert steps(sync_plan(production, upstream)) == [("replace", "brand", 2)]


def test_approved_but_not_yet_verified_waits_for_the_other_target(
    organization: Organization, latest: SyncTarget
) -> None:
    production, brand = _staged_edit(organization, latest)
    approve(brand, 2)

    assert steps(sync_plan(production, [held("brand", OLD)])) == [("unchanged", "brand", 1)]


def test_verified_content_counts_for_a_later_revision_with_the_same_content(
    organization: Organization, latest: SyncTarget
) -> None:
    follower, brand = _followed_edit(organization, latest)
    dictionary_update(organization=organization, name="brand", modes=OLD)  # back: revision 3

    assert steps(sync_plan(follower, [])) == [("create", "brand", 3)]


def test_only_the_after_targets_verifications_and_this_dictionarys_count(
    organization: Organization, latest: SyncTarget
) -> None:
    other = target_named(organization, "qa")
    follower = target_named(organization, "production", after=latest)
    brand = make_dictionary(organization, "brand", modes=OLD)
    twin = make_dictionary(organization, "twin", modes=OLD)  # the same content hash
    verified_on(other, brand, 1)
    verified_on(latest, twin, 1)

    assert steps(sync_plan(follower, [])) == [("create", "twin", 1)]


def test_a_deletion_needs_no_verification_after_the_other_target(
    organization: Organization, latest: SyncTarget
) -> None:
    production = target_named(
        organization, "production", channel=Channel.APPROVED, after=latest, prune=True
    )
    make_dictionary(organization, "brand", modes=OLD)
    dictionary_delete(organization=organization, name="brand")

    assert steps(sync_plan(production, [held("brand", OLD)])) == [("prune", "brand", None)]


# -- the pure plan -----------------------------------------------------------------------

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _due(pk: int, name: str, number: int, *, deleted: bool = False, at: datetime = AT) -> Due:
    dictionary = Dictionary(pk=pk, name=name, normalized_name=name.lower(), revision=number)
    return Due(dictionary, number, deleted, f"sha256:{pk}-{number}", at)


def _body(name: str, modes: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "modes": modes, "metadata": {}}


def _verified(due: Due, found: dict[str, Any]) -> SyncState:
    return SyncState(
        dictionary_id=due.dictionary.pk,
        status=SyncStatus.VERIFIED,
        pushed_revision=due.number,
        upstream_id=found["id"],
        upstream_hash=found["content_hash"],
    )


def test_the_plan_decides_every_action_from_its_inputs_alone() -> None:
    new, same, changed, kept = (
        _due(1, "new", 1),
        _due(2, "same", 3),
        _due(3, "changed", 2),
        _due(4, "kept", 5),
    )
    gone = _due(5, "gone", 2, deleted=True)
    upstream = {
        "same": held("same", OLD),
        "changed": held("changed", OLD),
        "kept": held("kept", OLD),
        "gone": held("gone", OLD),
        "theirs": held("theirs", OLD),
    }
    payloads = {1: _body("new", NEW), 2: _body("same", OLD), 3: _body("changed", NEW)}
    dues = {d.dictionary.normalized_name: d for d in (new, same, changed, kept, gone)}

    items = plan(
        dues=dues,
        upstream=upstream,
        states={4: _verified(kept, upstream["kept"])},
        payloads=payloads,
        prune=True,
    )

    assert steps(items) == [
        ("replace", "changed", 2),
        ("unchanged", "kept", 5),
        ("create", "new", 1),
        ("unchanged", "same", 3),
        ("prune", "gone", None),
    ]
    assert [item.payload for item in items] == [
        payloads[3],
        None,  # verified at its revision and untouched upstream: nothing to send or check
        payloads[1],
        payloads[2],
        None,
    ]
    assert items[0].content_hash == "sha256:3-2"


def test_the_plan_prunes_nothing_without_prune_and_never_a_name_it_does_not_serve() -> None:
    gone = _due(1, "gone", 2, deleted=True)
    upstream = {"gone": held("gone", OLD), "theirs": held("theirs", OLD)}

    kept = plan(dues={"gone": gone}, upstream=upstream, states={}, payloads={}, prune=False)
    pruned = plan(dues={"gone": gone}, upstream=upstream, states={}, payloads={}, prune=True)

    assert kept == []
    assert steps(pruned) == [("prune", "gone", None)]


def test_the_newest_due_revision_of_a_reused_name_wins() -> None:
    later = datetime(2026, 2, 1, tzinfo=UTC)
    old_deleted = _due(1, "brand", 4, deleted=True, at=later)
    recreated = _due(2, "Brand", 1, at=AT)  # created before the old one's deletion was due
    restored = _due(3, "brand", 2, at=datetime(2026, 3, 1, tzinfo=UTC))

    assert winners([old_deleted, recreated])["brand"] is old_deleted
    assert winners([restored, old_deleted, recreated])["brand"] is restored
