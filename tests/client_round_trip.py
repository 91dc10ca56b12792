"""Run in a subprocess by tests/test_generated_client.py: a round trip through the Python client
openapi-python-client generated from the served schema (its package is on ``sys.path``).

``python tests/client_round_trip.py PACKAGE PHASE`` with LEXICON_URL, LEXICON_KEY (and, for the
review phase, LEXICON_REVIEWER_KEY) in the environment; prints what it saw as one JSON object.
"""

import importlib
import json
import os
import sys
from typing import Any


def _ops(package: str) -> Any:
    def op(name: str) -> Any:
        return importlib.import_module(f"{package}.api.{name}")

    return op


def _write_phase(package: str, client: Any, op: Any, models: Any, types: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    rules = {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}}
    body = models.DictionaryCreateRequest.from_dict({"name": "client-trip", "modes": rules})
    created = op("dictionaries.pronunciation_dictionaries_create").sync_detailed(
        client=client, body=body
    )
    seen["create"] = {
        "status": int(created.status_code),
        "type": type(created.parsed).__name__,
        "etag": created.headers.get("ETag"),
        "request_id": bool(created.headers.get("X-Request-Id")),
        "created_at": type(created.parsed.created_at).__name__,
    }
    got = op("dictionaries.pronunciation_dictionaries_get").sync_detailed(
        "client-trip", client=client
    )
    etag = got.headers["ETag"]
    seen["get"] = {"status": int(got.status_code), "etag": etag, "revision": got.parsed.revision}
    replace = models.DictionaryReplaceRequest.from_dict(
        {"modes": {"rewrite": {"rules": [{"match": "SLNG", "replace": "sling"}]}}}
    )
    stale = op("dictionaries.pronunciation_dictionaries_replace").sync_detailed(
        "client-trip", client=client, body=replace, if_match='"r0-stale"'
    )
    seen["stale_update"] = {"status": int(stale.status_code), "code": str(stale.parsed.code)}
    updated = op("dictionaries.pronunciation_dictionaries_replace").sync_detailed(
        "client-trip", client=client, body=replace, if_match=etag
    )
    seen["update"] = {
        "status": int(updated.status_code),
        "revision": updated.parsed.revision,
        "etag_changed": updated.headers.get("ETag") not in (None, etag),
    }
    exports: dict[str, Any] = {}
    enum = importlib.import_module(
        f"{package}.models.pronunciation_dictionaries_export_format"
    ).PronunciationDictionariesExportFormat
    for file_format in enum:
        answer = op("import_and_export.pronunciation_dictionaries_export").sync_detailed(
            "client-trip", client=client, format_=file_format
        )
        parsed = answer.parsed
        payload = parsed.payload.read() if isinstance(parsed, types.File) else None
        exports[file_format.value] = {
            "status": int(answer.status_code),
            "type": type(parsed).__name__,
            "same_bytes": payload == answer.content,
            "content_type": answer.headers.get("Content-Type", ""),
        }
    seen["export"] = exports
    etag = updated.headers["ETag"]
    deleted = op("dictionaries.pronunciation_dictionaries_delete").sync_detailed(
        "client-trip", client=client, if_match=etag
    )
    seen["delete"] = {"status": int(deleted.status_code)}
    listed = op("revisions.pronunciation_deleted_list").sync(client=client)
    ids = [d.id for d in listed.dictionaries if d.name == "client-trip"]
    restored = op("revisions.pronunciation_deleted_restore").sync_detailed(ids[0], client=client)
    seen["undelete"] = {
        "status": int(restored.status_code),
        "name": restored.parsed.name,
        "etag": bool(restored.headers.get("ETag")),
        "deleted_at": type(listed.dictionaries[0].deleted_at).__name__,
    }
    return seen


def _review_phase(client: Any, reviewer: Any, op: Any, models: Any) -> dict[str, Any]:
    patch = models.DictionaryPatchRequest.from_dict(
        {"modes": {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}}}
    )
    got = op("dictionaries.pronunciation_dictionaries_get").sync_detailed(
        "client-trip", client=client
    )
    patched = op("dictionaries.pronunciation_dictionaries_patch").sync_detailed(
        "client-trip", client=client, body=patch, if_match=got.headers["ETag"]
    )
    number = patched.parsed.revision
    revision = op("revisions.pronunciation_revisions_get").sync(
        "client-trip", number, client=client
    )
    by_editor = op("review.pronunciation_revisions_approve").sync_detailed(
        "client-trip", number, client=client, body=models.ReviewRequest(comment="mine")
    )
    approved = op("review.pronunciation_revisions_approve").sync_detailed(
        "client-trip", number, client=reviewer, body=models.ReviewRequest(comment="checked")
    )
    if int(approved.status_code) != 200:
        return {"approve": int(approved.status_code), "body": approved.content.decode()}
    return {
        "proposed": str(revision.review.state.value),
        "editor_approve": int(by_editor.status_code),
        "approve": int(approved.status_code),
        "state": str(approved.parsed.review.state.value),
        "at": type(approved.parsed.review.at).__name__,
    }


def main() -> None:
    package, phase = sys.argv[1], sys.argv[2]
    root = importlib.import_module(package)
    models = importlib.import_module(f"{package}.models")
    types = importlib.import_module(f"{package}.types")
    url = os.environ["LEXICON_URL"]
    client = root.AuthenticatedClient(base_url=url, token=os.environ["LEXICON_KEY"])
    op = _ops(package)
    if phase == "write":
        seen = _write_phase(package, client, op, models, types)
    else:
        reviewer = root.AuthenticatedClient(base_url=url, token=os.environ["LEXICON_REVIEWER_KEY"])
        seen = _review_phase(client, reviewer, op, models)
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
