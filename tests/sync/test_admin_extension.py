"""Issue 12: sync adds to the dictionary admin through pronunciations' extension point."""

import ast
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client

from orgs.models import Organization
from pronunciations.admin import DictionaryAdmin, extensions
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_create
from sync.admin.dictionary import SyncDictionaryExtension
from sync.models import SyncTarget

ROOT = Path(__file__).resolve().parents[2]
MODES = {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}}


@pytest.fixture
def root() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests"))
    return client


def _imports(app: str) -> set[str]:
    """Every module that the app's code (tests and migrations aside) imports."""
    found: set[str] = set()
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


def test_no_app_re_registers_the_dictionary_admin() -> None:
    """Issue 12: the dictionary admin is pronunciations' own; sync only adds an extension."""
    assert type(admin.site._registry[Dictionary]) is DictionaryAdmin
    assert any(isinstance(e, SyncDictionaryExtension) for e in extensions.extensions())


def test_the_layers_import_downwards_only() -> None:
    """Issue 12: pronunciations never imports sync; sync never imports config."""
    assert not {m for m in _imports("pronunciations") if m.split(".")[0] == "sync"}
    assert not {m for m in _imports("sync") if m.split(".")[0] == "config"}
    assert not {m for m in _imports("orgs") if m.split(".")[0] in ("pronunciations", "sync")}


@pytest.mark.django_db
def test_without_extensions_the_dictionary_admin_shows_only_its_own_parts(
    organization: Organization, root: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: sync's column, filter, action and panels come only from its extension."""
    SyncTarget.objects.create(
        organization=organization, name="production", base_url="https://slng.invalid"
    )
    dictionary = dictionary_create(organization=organization, name="brand", modes=MODES)
    change = f"/admin/pronunciations/dictionary/{dictionary.pk}/change/"

    page = root.get(change).content.decode()
    listing = root.get("/admin/pronunciations/dictionary/").content.decode()
    assert 'id="sync-panel"' in page
    assert 'id="listen-row"' in page
    assert "sync/listen.js" in page
    assert "sync/admin.css" in page
    assert "field-sync_badges" in listing
    assert 'value="sync_now"' in listing

    monkeypatch.setattr(extensions, "_registry", {})
    page = root.get(change).content.decode()
    listing = root.get("/admin/pronunciations/dictionary/").content.decode()
    assert 'id="preview-panel"' in page
    assert 'id="sync-panel"' not in page
    assert 'id="listen-row"' not in page
    assert "sync/listen.js" not in page
    assert "field-sync_badges" not in listing
    assert 'value="sync_now"' not in listing
