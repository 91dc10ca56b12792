"""Import slots: how many of one organization's import jobs run at once; the rest wait in order.

Workers of the imports queue are shared by every organization. Without a cap, six large imports
of one organization took every slot and another organization's import waited behind all of them
(issue 22). A job claims a slot only while fewer than LEXICON_IMPORT_SLOTS_PER_ORGANIZATION of
its organization's jobs are running or were queued before it; otherwise its task is sent again
LEXICON_IMPORT_WAIT_SECONDS later and the worker takes the next message, another
organization's among them. A waiting job refreshes its heartbeat, so a job whose message was
lost stops holding its place after LEXICON_IMPORT_JOB_STALE_SECONDS.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from orgs.actors import Actor
from orgs.models import Organization
from orgs.scoping import restrict
from pronunciations.models import ImportJob, JobState

# Lexicon reading on its own account (orgs.scoping: every organization).
IMPORT_SLOTS = Actor.system("import slots")


class ImportJobWaiting(Exception):
    """Every slot of the job's organization is taken: try again later."""


def slot_free(job: ImportJob) -> bool:
    """Whether the queued ``job`` may start now; if not, it is marked waiting (its heartbeat
    refreshed, its phase ``waiting``) and the caller raises ImportJobWaiting after commit.

    Call inside the transaction that claims the job. It locks the organization's row (FOR NO
    KEY UPDATE, which running imports' inserts do not conflict with), so two workers claiming
    jobs of one organization decide one after the other and never both take the last slot.
    """
    organization = (
        restrict(Organization, IMPORT_SLOTS)
        .select_for_update(no_key=True)
        .filter(pk=job.organization_id)
    )
    organization.values_list("pk", flat=True).first()
    fresh_since = timezone.now() - timedelta(seconds=settings.LEXICON_IMPORT_JOB_STALE_SECONDS)
    earlier = Q(created_at__lt=job.created_at) | Q(created_at=job.created_at, pk__lt=job.pk)
    ahead = (
        restrict(ImportJob, IMPORT_SLOTS)
        .filter(organization_id=job.organization_id)
        .exclude(pk=job.pk)
        .alias(last=Coalesce("heartbeat_at", "started_at", "created_at"))
        .filter(last__gte=fresh_since)
        .filter(Q(state=JobState.RUNNING) | (Q(state=JobState.QUEUED) & earlier))
    )
    if ahead.count() >= settings.LEXICON_IMPORT_SLOTS_PER_ORGANIZATION:
        restrict(ImportJob, IMPORT_SLOTS).filter(pk=job.pk, state=JobState.QUEUED).update(
            phase="waiting", heartbeat_at=timezone.now()
        )
        return False
    return True
