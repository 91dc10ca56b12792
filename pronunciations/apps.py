"""App configuration for pronunciations."""

from django.apps import AppConfig


class PronunciationsConfig(AppConfig):
    name = "pronunciations"
    verbose_name = "Pronunciation dictionaries"

    def ready(self) -> None:
        from django.core import checks

        from orgs import start_page
        from orgs.signals import review_turned_off
        from pronunciations.admin.checks import ChecksExtension
        from pronunciations.admin.extensions import register
        from pronunciations.admin.start_sections import SECTIONS
        from pronunciations.review import on_review_turned_off
        from pronunciations.review_health import check_review
        from pronunciations.stored_names import unaddressable_names_check  # noqa: F401 - registers

        for section in SECTIONS:
            start_page.register(section)
        register(ChecksExtension())
        review_turned_off.connect(on_review_turned_off, dispatch_uid="pronunciations.review_off")
        checks.register(check_review, checks.Tags.database)
