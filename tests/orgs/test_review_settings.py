"""Issue 14 item 2: turning review on (command and admin) and giving keys a role."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from orgs.models import APIKey, Membership, Organization, Role

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_configure_org_turns_review_on_and_off(organization: Organization) -> None:
    assert _run("configure_org", "--org", "acme") == ("review_required: off\n", "")

    out, err = _run("configure_org", "--org", "acme", "--review-required", "on")

    assert (out, err) == ("review_required: on\n", "Review for acme is now on.\n")
    organization.refresh_from_db()
    assert organization.review_required
    _run("configure_org", "acme", "--review-required", "off")  # the spelling still works
    organization.refresh_from_db()
    assert not organization.review_required


def test_configure_org_refuses_other_values_and_unknown_organizations(
    organization: Organization,
) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'yes'"):
        _run("configure_org", "--org", "acme", "--review-required", "yes")
    with pytest.raises(CommandError, match="no organization with slug 'nope'"):
        _run("configure_org", "--org", "nope", "--review-required", "on")


def test_create_api_key_gives_the_role_asked_and_editor_by_default(
    organization: Organization,
) -> None:
    reviewer, note = _run("create_api_key", "--org", "acme", "--label", "ci", "--role", "reviewer")
    editor, _ = _run("create_api_key", "--org", "acme", "--label", "tools")

    assert note.startswith("Issued reviewer key 'ci' (lex_")
    roles = dict(APIKey.objects.values_list("label", "role"))
    assert roles == {"ci": Role.REVIEWER, "tools": Role.EDITOR}
    assert reviewer.strip().startswith("lex_")
    assert editor.strip().startswith("lex_")
    with pytest.raises(CommandError, match="invalid choice: 'owner'"):
        _run("create_api_key", "--org", "acme", "--label", "x", "--role", "owner")


def _member(organization: Organization, username: str, role: str) -> Client:
    user = get_user_model().objects.create_user(username, password="pw-for-tests", is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    client = Client()
    client.force_login(user)
    return client


def _organization_form(organization: Organization, review_required: bool) -> dict[str, str]:
    form = {"slug": organization.slug, "name": organization.name}
    return form | ({"review_required": "on"} if review_required else {})


def test_an_organization_admin_turns_review_on_in_the_admin(organization: Organization) -> None:
    admin = _member(organization, "boss", Role.ADMIN)
    page = f"/admin/orgs/organization/{organization.pk}/change/"

    assert 'name="review_required"' in admin.get(page).content.decode()
    response = admin.post(page, _organization_form(organization, True))

    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.review_required


def test_a_reviewer_member_cannot_change_the_setting(organization: Organization) -> None:
    reviewer = _member(organization, "rita", Role.REVIEWER)
    page = f"/admin/orgs/organization/{organization.pk}/change/"

    response = reviewer.post(page, _organization_form(organization, True))

    assert response.status_code == 403
    organization.refresh_from_db()
    assert not organization.review_required


def test_the_key_admin_sets_and_shows_a_keys_role(organization: Organization) -> None:
    admin = _member(organization, "boss", Role.ADMIN)

    response = admin.post(
        "/admin/orgs/apikey/add/",
        {"organization": organization.pk, "label": "release", "role": Role.REVIEWER},
        follow=True,
    )

    assert re.search(r"lex_[a-z0-9]{8}_", response.content.decode())
    key = APIKey.objects.get(label="release")
    assert key.role == Role.REVIEWER
    listing = admin.get("/admin/orgs/apikey/").content.decode()
    assert "Reviewer" in listing
    change = f"/admin/orgs/apikey/{key.pk}/change/"
    admin.post(change, {"label": "release", "role": Role.VIEWER})
    key.refresh_from_db()
    assert key.role == Role.VIEWER
