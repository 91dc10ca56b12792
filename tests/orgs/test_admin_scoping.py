"""Issue 11: the admin shows an organization admin nothing of another organization.

Every registered admin's pages (index, changelists with their filters, add and change forms,
history) are opened as an admin of org A; nothing of org B (its users, name, keys, targets,
dictionaries, schedules) may appear. Everything of org B carries the marker ``zqbravo7x``.
"""

from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from orgs.models import APIKey, Membership, Organization, Role
from orgs.services import api_key_create, organization_create
from sync.models import SyncTarget
from sync.services import target_create
from tests.factories import make_dictionary

pytestmark = [pytest.mark.django_db, pytest.mark.long]

MARKER = "zqbravo7x"
FILTER_PARAMS = [
    "org",
    "organization",
    "organization__id__exact",
    "organization__exact",
    "organization__pk__exact",
    "user__id__exact",
    "target__organization__id__exact",
]


@dataclass
class World:
    mine: Organization
    theirs: Organization
    secrets: list[str]  # strings of org B that must never appear to org A's admin


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _member(username: str, organization: Organization, role: str) -> User:
    user = User.objects.create_user(username, password="pw-for-tests", is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def world(organization: Organization) -> World:
    theirs = organization_create(slug=MARKER, name=f"{MARKER} Corp")
    _member(f"{MARKER}-admin", theirs, Role.ADMIN)
    User.objects.create_user(f"{MARKER}-loner", password="pw-for-tests", is_staff=True)
    key = api_key_create(organization=theirs, label=f"{MARKER}-key").api_key
    target = target_create(
        organization=theirs,
        name=f"{MARKER}-target",
        base_url=f"https://{MARKER}.example",
        ws_url=f"wss://{MARKER}.example",
        api_key="sk_theirs",
    )
    make_dictionary(theirs, f"{MARKER}-dictionary", metadata={"language": f"{MARKER}-lang"})
    api_key_create(organization=organization, label="acme-key")
    target_create(
        organization=organization,
        name="acme-target",
        base_url="https://acme.example",
        ws_url="wss://acme.example",
        api_key="sk_ours",
    )
    make_dictionary(organization, "acme-dictionary", metadata={"language": "en-US"})
    _member("acme-editor", organization, Role.EDITOR)
    secrets = [MARKER, theirs.public_id, target.public_id, f"lex_{key.prefix}"]
    return World(mine=organization, theirs=theirs, secrets=secrets)


def _admin_urls(world: World) -> list[str]:
    urls = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"{info}_changelist")
        urls += [changelist, reverse(f"{info}_add"), f"/admin/{model._meta.app_label}/"]
        urls += [f"{changelist}?{param}={world.theirs.pk}" for param in FILTER_PARAMS]
        for obj in model_admin.model._default_manager.all():
            urls += [reverse(f"{info}_change", args=[obj.pk])]
            urls += [reverse(f"{info}_history", args=[obj.pk])]
    urls.append(reverse("admin:pronunciations_dictionary_import"))
    for app_label, model_name, field in (
        ("orgs", "membership", "user"),
        ("orgs", "membership", "organization"),
        ("orgs", "apikey", "organization"),
        ("sync", "synctarget", "organization"),
        ("pronunciations", "dictionary", "organization"),
    ):
        urls.append(
            f"/admin/autocomplete/?app_label={app_label}&model_name={model_name}"
            f"&field_name={field}&term="
        )
    return urls


def _pages(client: Client, urls: list[str]) -> dict[str, str]:
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            pages[url] = response.content.decode().lower()
    return pages


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR])
def test_every_admin_page_shows_nothing_of_another_organization(world: World, role: str) -> None:
    """Issue 11 (item 14): lists, filters and form choices are scoped to the caller's orgs."""
    user = _member(f"alpha-{role}", world.mine, role)
    urls = _admin_urls(world)

    pages = _pages(_login(user), urls)

    assert len(pages) > 10  # the walk did open the org's own pages
    leaks = {url: s for url, text in pages.items() for s in world.secrets if s.lower() in text}
    assert leaks == {}


def test_the_walk_would_see_a_leak(world: World) -> None:
    """The superuser sees org B's objects on the same pages: the markers are rendered."""
    root = User.objects.create_superuser("root", password="pw-for-tests")

    pages = _pages(_login(root), _admin_urls(world))

    membership_add = pages[reverse("admin:orgs_membership_add")]
    assert f"{MARKER}-loner" in membership_add  # superusers pick any existing account
    assert MARKER in pages[reverse("admin:orgs_apikey_changelist")]


def test_an_org_admin_cannot_add_an_existing_user_of_another_organization(world: World) -> None:
    """Issue 11 (item 14): a posted user id is ignored; a member is a new login."""
    boss = _login(_member("alpha-boss", world.mine, Role.ADMIN))
    other_admin = User.objects.get(username=f"{MARKER}-admin")

    response = boss.post(
        reverse("admin:orgs_membership_add"),
        {"user": other_admin.pk, "organization": world.mine.pk, "role": Role.ADMIN},
    )

    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=other_admin, organization=world.mine).exists()


def test_an_org_admin_creates_a_new_login_into_their_organization(world: World) -> None:
    """Issue 11 (item 14): the new account is staff, a member of this org only."""
    boss = _login(_member("alpha-boss", world.mine, Role.ADMIN))

    response = boss.post(
        reverse("admin:orgs_membership_add"),
        {
            "username": "new-linguist",
            "password": "",
            "organization": world.mine.pk,
            "role": "editor",
        },
    )
    refused = boss.post(
        reverse("admin:orgs_membership_add"),
        {"username": "sneaky", "password": "", "organization": world.theirs.pk, "role": "admin"},
    )
    taken = boss.post(
        reverse("admin:orgs_membership_add"),
        {"username": f"{MARKER.upper()}-ADMIN", "organization": world.mine.pk, "role": "viewer"},
    )

    assert response.status_code == 302
    user = User.objects.get(username="new-linguist")
    assert (user.is_staff, user.is_superuser, user.has_usable_password()) == (True, False, False)
    assert list(user.memberships.values_list("organization_id", "role")) == [
        (world.mine.pk, "editor")
    ]
    assert "organization" in refused.context["adminform"].form.errors
    assert not User.objects.filter(username="sneaky").exists()
    assert "username" in taken.context["adminform"].form.errors


def test_an_org_admin_changes_a_role_but_never_moves_a_member(world: World) -> None:
    """Issue 11 (item 14): user and organization of a membership are read-only to org admins."""
    boss = _login(_member("alpha-boss", world.mine, Role.ADMIN))
    membership = Membership.objects.get(user__username="acme-editor")
    other_admin = User.objects.get(username=f"{MARKER}-admin")

    response = boss.post(
        reverse("admin:orgs_membership_change", args=[membership.pk]),
        {"user": other_admin.pk, "organization": world.theirs.pk, "role": Role.VIEWER},
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.user.username, membership.organization, membership.role) == (
        "acme-editor",
        world.mine,
        Role.VIEWER,
    )


def test_actions_and_forms_cannot_reach_another_organizations_rows(world: World) -> None:
    """Issue 11 (item 14): ids of org B posted to actions and forms change nothing of B."""
    boss = _login(_member("alpha-boss", world.mine, Role.ADMIN))
    their_key = APIKey.objects.get(organization=world.theirs)
    their_target = SyncTarget.objects.get(organization=world.theirs)

    boss.post(
        reverse("admin:orgs_apikey_changelist"),
        {"action": "revoke", "_selected_action": [str(their_key.pk)]},
    )
    boss.post(
        f"{reverse('admin:orgs_apikey_changelist')}?organization__id__exact={world.theirs.pk}",
        {"action": "revoke", "select_across": "1", "_selected_action": [str(their_key.pk)]},
    )
    key_form = boss.post(
        reverse("admin:orgs_apikey_add"), {"organization": world.theirs.pk, "label": "x"}
    )
    target_form = boss.post(
        reverse("admin:sync_synctarget_add"),
        {
            "organization": world.theirs.pk,
            "name": "x",
            "base_url": "https://x.example",
            "ws_url": "wss://x.example",
            "model": "m",
            "interval_seconds": "60",
            "verify_route": "bridge",
            "api_key": "k",
            "runs-TOTAL_FORMS": "0",
            "runs-INITIAL_FORMS": "0",
        },
    )
    change = boss.get(reverse("admin:sync_synctarget_change", args=[their_target.pk]))

    their_key.refresh_from_db()
    assert their_key.revoked_at is None
    assert "organization" in key_form.context["adminform"].form.errors
    assert "organization" in target_form.context["adminform"].form.errors
    assert change.status_code == 302
    assert not APIKey.objects.filter(label="x").exists()
