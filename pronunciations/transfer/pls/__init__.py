"""W3C Pronunciation Lexicon Specification (PLS) 1.0: read as found in the wild, and written.

- ``xml``: the bounded, defused stream parser (with line numbers), text rules and escaping
- ``reading``: a file to rules (``pls_load``), with grouped, located warnings (``notes``)
- ``writing``: Lexicon's own export (``pls_dump``) and the documents vendor exports pack
"""

from pronunciations.transfer.pls.notes import Where
from pronunciations.transfer.pls.reading import (
    DEFAULT_ALPHABET,
    Conflict,
    PlsImport,
    PlsRule,
    pls_load,
)
from pronunciations.transfer.pls.writing import Lexeme, lexeme_xml, pls_document, pls_dump
from pronunciations.transfer.pls.xml import NO_LANGUAGE, PLS_NAMESPACE, PlsError, normalize_text

__all__ = [
    "DEFAULT_ALPHABET",
    "NO_LANGUAGE",
    "PLS_NAMESPACE",
    "Conflict",
    "Lexeme",
    "PlsError",
    "PlsImport",
    "PlsRule",
    "Where",
    "lexeme_xml",
    "normalize_text",
    "pls_document",
    "pls_dump",
    "pls_load",
]
