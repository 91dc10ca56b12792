"""Public identifiers: a type prefix plus a ULID, so ids sort by creation and name their kind."""

from ulid import ULID


def new_org_id() -> str:
    return f"org_{ULID()}"


def new_dictionary_id() -> str:
    return f"pd_{ULID()}"


def new_import_job_id() -> str:
    return f"imp_{ULID()}"


def new_scan_id() -> str:
    return f"scan_{ULID()}"
