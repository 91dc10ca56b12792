"""App configuration for sync."""

from importlib import import_module

from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "Sync to SLNG"

    def ready(self) -> None:
        from orgs import start_page
        from pronunciations.admin.extensions import register
        from pronunciations.lint import register_source
        from pronunciations.signals import dictionaries_changed, dictionary_changed
        from sync.admin.dictionary import SyncDictionaryExtension
        from sync.admin.start_failed_syncs import SECTION
        from sync.enqueue import enqueue_followers, enqueue_sync
        from sync.lint import target_warnings
        from sync.signals import content_verified

        import_module("sync.reach")  # registers the stored targets' check

        dictionary_changed.connect(enqueue_sync, dispatch_uid="sync.enqueue_sync")
        dictionaries_changed.connect(enqueue_sync, dispatch_uid="sync.enqueue_sync_many")
        content_verified.connect(enqueue_followers, dispatch_uid="sync.enqueue_followers")
        register(SyncDictionaryExtension())
        start_page.register(SECTION)
        register_source(target_warnings)
