"""Files the admin's import page keeps between requests, scoped to the session that sent them.

django-import-export writes every upload to temporary storage before its dry run: for the
confirm step, and (here) to offer it again after an error, so fixing the organization, the mode
or the format does not mean choosing the file again. ``KeptStorage`` is that storage: one
directory, files named by random tokens (any other name is refused), files older than
LEXICON_IMPORT_KEEP_SECONDS removed whenever one is written. The session lists the tokens it may
use (``allow``, ``keep``): the confirm step and a re-submit accept only those, so no one reads
another user's upload by naming it. At most MAX_CONFIRMS confirm files and one kept file per
session; uploads reaching this storage are at most LEXICON_IMPORT_SYNC_MAX_BYTES (larger
imports run as background jobs before it).
"""

import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from import_export.tmp_storages import BaseStorage

SESSION_KEY = "lexicon_imports"
MAX_CONFIRMS = 5
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def directory() -> Path:
    return Path(tempfile.gettempdir()) / "lexicon-imports"


def _path(name: object) -> Path | None:
    return directory() / name if isinstance(name, str) and _TOKEN.fullmatch(name) else None


def _sweep() -> None:
    """Remove files older than LEXICON_IMPORT_KEEP_SECONDS."""
    oldest = time.time() - settings.LEXICON_IMPORT_KEEP_SECONDS
    for path in directory().glob("*"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except FileNotFoundError:  # another process swept it first
            continue


def discard(name: object) -> None:
    path = _path(name)
    if path is not None:
        path.unlink(missing_ok=True)


class KeptStorage(BaseStorage):
    """django-import-export's temporary storage, in one directory under random names."""

    def save(self, data: bytes | str) -> None:
        directory().mkdir(mode=0o700, exist_ok=True)
        _sweep()
        self.name = secrets.token_urlsafe(24)
        raw = data.encode(self.encoding or "utf-8") if isinstance(data, str) else data
        path = _path(self.name)
        assert path is not None  # noqa: S101 - a fresh token
        path.write_bytes(raw)

    def read(self) -> bytes | str:
        path = _path(self.name)
        if path is None or not path.is_file():
            raise FileNotFoundError("the uploaded file is no longer kept: choose it again")
        data = path.read_bytes()
        return data if "b" in self.read_mode else data.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        discard(self.name)


@dataclass(frozen=True)
class Kept:
    """The session's kept file: its token, the name it was uploaded as, the format chosen."""

    name: str
    file_name: str
    file_format: str

    def _fresh_path(self) -> Path | None:
        path = _path(self.name)
        oldest = time.time() - settings.LEXICON_IMPORT_KEEP_SECONDS
        try:
            return path if path is not None and path.stat().st_mtime >= oldest else None
        except FileNotFoundError:
            return None

    def read(self) -> bytes | None:
        """The file's bytes, or None once it expired or was removed."""
        path = self._fresh_path()
        try:
            return path.read_bytes() if path is not None else None
        except FileNotFoundError:
            return None


def _state(session: SessionBase) -> dict[str, Any]:
    state = session.get(SESSION_KEY)
    return state if isinstance(state, dict) else {}


def allow(session: SessionBase, name: str) -> None:
    """Let this session confirm the import of ``name`` (the oldest beyond MAX_CONFIRMS go)."""
    state = _state(session)
    confirms = [n for n in state.get("confirms", []) if n != name] + [name]
    for old in confirms[:-MAX_CONFIRMS]:
        discard(old)
    session[SESSION_KEY] = {**state, "confirms": confirms[-MAX_CONFIRMS:]}


def allowed(session: SessionBase, name: str) -> bool:
    """True when this session's dry run wrote ``name`` and the file is still there."""
    path = _path(name)
    return name in _state(session).get("confirms", []) and path is not None and path.is_file()


def confirmed(session: SessionBase, name: str) -> None:
    """The import of ``name`` is done: it is no longer this session's to confirm."""
    state = _state(session)
    session[SESSION_KEY] = {
        **state,
        "confirms": [n for n in state.get("confirms", []) if n != name],
    }


def keep(session: SessionBase, name: str, file_name: str, file_format: str) -> Kept:
    """Keep ``name`` as the session's file to submit again (replacing and removing the last)."""
    state = _state(session)
    previous = state.get("kept") or {}
    if previous.get("name") not in (None, name):
        discard(previous["name"])
    kept = Kept(name, file_name[:200], file_format)
    session[SESSION_KEY] = {**state, "kept": vars(kept)}
    return kept


def current(session: SessionBase) -> Kept | None:
    """The session's kept file while it is still on disk and fresh."""
    raw = _state(session).get("kept")
    if not isinstance(raw, dict):
        return None
    kept = Kept(str(raw.get("name")), str(raw.get("file_name")), str(raw.get("file_format")))
    return kept if kept._fresh_path() is not None else None


def forget(session: SessionBase) -> None:
    """Drop the session's kept file (after an import that went through)."""
    state = _state(session)
    if state.get("kept"):
        discard(state["kept"].get("name"))
        session[SESSION_KEY] = {**state, "kept": None}
