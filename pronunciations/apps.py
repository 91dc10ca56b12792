"""App configuration for pronunciations."""

from django.apps import AppConfig


class PronunciationsConfig(AppConfig):
    name = "pronunciations"
    verbose_name = "Pronunciation dictionaries"

    def ready(self) -> None:
        from orgs import start
        from pronunciations.admin.checks import ChecksExtension
        from pronunciations.admin.extensions import register
        from pronunciations.admin.start import SECTIONS
        from pronunciations.stored_names import unaddressable_names_check  # noqa: F401 - registers

        for section in SECTIONS:
            start.register(section)
        register(ChecksExtension())
