"""Exports other TTS vendors accept, each within that vendor's documented limits.

- ``polly``: Amazon Polly PLS lexicons (4,000 characters each, names ``[0-9A-Za-z]{1,20}``);
  ``polly-xsampa`` the same with phonemes in X-SAMPA
- ``azure``: Azure AI Speech custom lexicons, one PLS file per language under 100 KB
- ``elevenlabs``: a PLS file per dictionary for ElevenLabs' "add from file";
  ``elevenlabs-arpabet`` the same with phonemes in CMU ARPAbet
- ``elevenlabs-json``: the body of ElevenLabs' "add from rules" (alias and phoneme rules)
- ``cartesia``: the body of Cartesia's pronunciation dictionary create call (items)

Each export also gives a report (``common.ExportReport``): what could not be carried, and where
the vendor's matching differs from SLNG's. docs/vendors.md lists every limit with its source.
"""

from collections.abc import Callable, Iterable, Iterator

from pronunciations.transfer.formats import VENDOR_FORMATS
from pronunciations.transfer.vendors import azure, cartesia, elevenlabs, polly
from pronunciations.transfer.vendors.common import Entry, ExportFile, ExportReport

Exporter = Callable[[Iterable[Entry], ExportReport], Iterator[ExportFile]]

EXPORTERS: dict[str, Exporter] = {
    "polly": polly.export,
    "polly-xsampa": polly.export_xsampa,
    "azure": azure.export,
    "elevenlabs": elevenlabs.export_pls,
    "elevenlabs-arpabet": elevenlabs.export_pls_arpabet,
    "elevenlabs-json": elevenlabs.export_json,
    "cartesia": cartesia.export,
}
NAMES = {
    "polly": "Amazon Polly",
    "polly-xsampa": "Amazon Polly (X-SAMPA phonemes)",
    "azure": "Azure",
    "elevenlabs": "ElevenLabs (PLS)",
    "elevenlabs-arpabet": "ElevenLabs (PLS, CMU ARPAbet phonemes)",
    "elevenlabs-json": "ElevenLabs (JSON rules)",
    "cartesia": "Cartesia",
}
# Azure writes one file per language: its dictionaries are read grouped by language.
BY_LANGUAGE = frozenset(("azure",))
assert set(EXPORTERS) == set(NAMES) == set(VENDOR_FORMATS)  # noqa: S101 - one list of formats

__all__ = [
    "BY_LANGUAGE",
    "EXPORTERS",
    "NAMES",
    "Entry",
    "ExportFile",
    "ExportReport",
    "vendor_files",
]


def vendor_files(
    file_format: str, entries: Iterable[Entry], report: ExportReport
) -> Iterator[ExportFile]:
    """The export's files, one at a time; ``report`` is complete once they are all read."""
    for file in EXPORTERS[file_format](_noting_checks(entries, report), report):
        report.files.append(file.to_wire())
        yield file


def _noting_checks(entries: Iterable[Entry], report: ExportReport) -> Iterator[Entry]:
    for entry in entries:
        if entry.checks:
            report.limit(
                "Dictionaries with checks (test sentences), which no vendor format holds: they "
                "are not in these files (CSV, XLSX and JSON exports keep them)",
                f"{entry.name} ({entry.checks})",
            )
        yield entry
