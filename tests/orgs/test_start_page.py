"""Issue 15: a home for linguists. The admin is "Lexicon", `/` leads to its start page, the
start page's sections show the user's organizations only, and infrastructure (periodic tasks,
API keys, memberships, sync targets) is listed for organization admins and superusers only."""

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orgs import start_page
from orgs.actors import Actor
from orgs.models import Organization, Role
from pronunciations.services import dictionary_update
from sync.models import SyncState, SyncStatus
from tests.factories import make_dictionary, make_target, staff_user

pytestmark = pytest.mark.django_db
INFRASTRUCTURE = {"Periodic tasks", "API keys", "Memberships", "Sync targets"}


_user = staff_user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _models(user: User) -> set[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return {model["name"] for app in admin.site.get_app_list(request) for model in app["models"]}


def _failed(organization: Organization, dictionary_name: str, message: str) -> None:
    target = make_target(organization)
    SyncState.objects.create(  # raw: only a real sync run writes a failure
        target=target,
        dictionary=organization.dictionaries.get(name=dictionary_name),
        status=SyncStatus.FAILED,
        last_error_code="pronunciation_not_found",
        last_error_message=message,
        last_attempt_at=timezone.now(),
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_viewers_and_editors_see_no_infrastructure(organization: Organization, role: str) -> None:
    models = _models(_user("linguist", organization, role))
    assert "Dictionaries" in models
    assert not models & INFRASTRUCTURE


def test_organization_admins_and_superusers_see_the_infrastructure(
    organization: Organization,
) -> None:
    assert _models(_user("boss", organization, Role.ADMIN)) >= INFRASTRUCTURE
    root = User.objects.create_superuser("root", password="pw-for-tests")
    assert _models(root) >= INFRASTRUCTURE


def test_a_viewer_still_opens_a_target_from_a_dictionarys_sync_panel(
    organization: Organization,
) -> None:
    target = make_target(organization)
    client = _client(_user("reader", organization, Role.VIEWER))
    assert client.get(f"/admin/sync/synctarget/{target.pk}/change/").status_code == 200


def test_the_root_leads_to_the_start_page_titled_lexicon(organization: Organization) -> None:
    client = _client(_user("linguist", organization, Role.EDITOR))

    response = client.get("/", follow=True)

    page = response.content.decode()
    assert response.redirect_chain == [("/admin/", 302)]
    assert "<title>Start | Lexicon</title>" in page
    assert '<a href="/admin/">Lexicon</a>' in page
    assert "Django administration" not in page
    assert "View site" not in page


def test_the_start_page_shows_recent_changes_and_failed_syncs_of_the_users_organizations(
    organization: Organization, other_organization: Organization
) -> None:
    make_dictionary(organization, "brand")
    dictionary_update(
        organization=organization,
        name="brand",
        modes={"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}},
        author=Actor("asha", "user:asha"),
    )
    make_dictionary(organization, "support")
    _failed(organization, "support", "Pronunciation dictionary not found: support")
    make_dictionary(other_organization, "zq-secret")
    _failed(other_organization, "zq-secret", "zq-secret failed")

    page = _client(_user("linguist", organization, Role.VIEWER)).get("/admin/").content.decode()

    assert "Where is this word?" in page
    assert "1 rule added, 2 removed" in page
    assert "created with 2 rules" in page
    assert "asha" in page
    assert "Pronunciation dictionary not found: support" in page
    assert "zq-secret" not in page
    assert page.index('id="start-failed-syncs"') < page.index('id="start-recent-changes"')


def test_sections_are_empty_states_not_missing(organization: Organization) -> None:
    page = _client(_user("linguist", organization, Role.VIEWER)).get("/admin/").content.decode()
    assert "No failed syncs." in page
    assert "No changes yet." in page


def test_a_user_of_no_organization_gets_no_sections() -> None:
    page = _client(_user("loner", None, Role.VIEWER)).get("/admin/").content.decode()
    assert 'class="module start-section' not in page


def test_the_start_page_reads_a_fixed_number_of_queries(organization: Organization) -> None:
    client = _client(_user("linguist", organization, Role.VIEWER))
    make_dictionary(organization, "one", rules=2)
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/")
    for number in range(30):
        make_dictionary(organization, f"d{number}", rules=40)
    _failed(organization, "d0", "boom")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/admin/").content.decode()
    assert page.count('class="recent-change"') == 15
    assert page.count('class="failed-sync"') == 1
    assert len(many) == len(few)


def test_another_app_adds_a_section_by_registering_it(organization: Organization) -> None:
    """How the review and checks apps add theirs: a template and a context function."""
    seen: list[Any] = []

    def context(request: Any) -> dict[str, Any]:
        seen.append(request.user.username)
        return {"rows": []}

    start_page.register(
        start_page.StartSection("test_section", "sync/admin/start_failed_syncs.html", context, 20)
    )
    try:
        page = _client(_user("linguist", organization, Role.VIEWER)).get("/admin/").content
    finally:
        start_page._registry.pop("test_section")
    assert seen == ["linguist"]
    assert page.decode().count("No failed syncs.") == 2
