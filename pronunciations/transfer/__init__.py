"""Import and export: files in, files out, one module per job.

- ``uploads``, ``limits``, ``text``, ``xlsx_zip``, ``xlsx``: every upload bounded while read
- ``rows``: the tabular layout (columns, cells, escaping) and its rows, parsed and validated
- ``formats``: CSV, XLSX and JSON writers of that layout, and the one list of formats
- ``xlsx_write``: an XLSX workbook written as a stream of bytes in constant memory
- ``pls``: W3C PLS, read as found in the wild (grouped, located warnings) and written
- ``vendors``: exports Polly, Azure, ElevenLabs and Cartesia take, within their limits
- ``reading``: a whole file to rows, an import's parameters (``ImportOptions``), ``import_file``
- ``services``: how an import starts, now or as a job (the one rule), for the API and the admin
- ``importing``: rows to a plan per dictionary, handed to the services' one write path
- ``exporting``: dictionaries to a file response (a zip where a vendor export has several)
- ``jobs``: background imports with progress
- ``resource``: the django-import-export resource the admin's import page uses
"""

from pronunciations.transfer.importing import (
    ImportMode,
    ImportRejected,
    ImportReport,
    dictionary_import,
)
from pronunciations.transfer.reading import import_file
from pronunciations.transfer.uploads import accepts_uploads

__all__ = [
    "ImportMode",
    "ImportRejected",
    "ImportReport",
    "accepts_uploads",
    "dictionary_import",
    "import_file",
]
