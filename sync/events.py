"""The events sync publishes (orgs.events): a target verified or failed a dictionary."""

from orgs.events import EventType, publish
from sync.client import SlngError
from sync.models import SyncTarget
from sync.plans import PlanItem


def _data(target: SyncTarget, item: PlanItem) -> dict[str, object]:
    dictionary = item.dictionary
    return {
        "target": target.name,
        "target_id": target.public_id,
        "dictionary": item.name,
        "dictionary_id": dictionary.public_id if dictionary is not None else None,
        "revision": item.revision,
        "content_hash": item.content_hash,
    }


def sync_verified(target: SyncTarget, item: PlanItem) -> None:
    """The target verified content of the dictionary it had not verified before."""
    event = (EventType.SYNC_VERIFIED.value, _data(target, item))
    publish(organization_id=target.organization_id, events=[event])


def sync_failed(target: SyncTarget, item: PlanItem, error: SlngError) -> None:
    """SLNG refused or could not verify the dictionary: its code and message, as recorded."""
    data = {**_data(target, item), "code": error.code or type(error).__name__}
    data["message"] = error.message[:500]
    publish(organization_id=target.organization_id, events=[(EventType.SYNC_FAILED.value, data)])
