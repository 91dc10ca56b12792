"""Who sync reads as when no person asked: the run of a target, named once for every module."""

from orgs.actors import Actor

# A run (its task, plan, runner and records) reads the target's organization and nothing else:
# every query also names the target or its organization.
SYNC_RUN = Actor.system("sync run")
