"""Media and uploads on the local disk, one folder per session (or candidate) under a root.

The database stores paths relative to the root, so the runtime folder can move. Every write
goes to a temporary file first and is renamed into place, so a crash never leaves half a
recording under the real name; every name is checked so no input can reach outside the root.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath


class LocalFileStore:
    """Files under `root`: sessions/<session_id>/<name> and candidates/<candidate_id>/<name>."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def save(self, session_id: str, name: str, data: bytes) -> str:
        """Write (or replace) a session file atomically; returns its path relative to the root."""
        return self._save("sessions", session_id, name, data)

    def save_candidate_file(self, candidate_id: str, name: str, data: bytes) -> str:
        """Write (or replace) a candidate's file (e.g. a resume); returns its relative path."""
        return self._save("candidates", candidate_id, name, data)

    def read(self, relative_path: str) -> bytes:
        return self.absolute(relative_path).read_bytes()

    def absolute(self, relative_path: str) -> Path:
        """The real location of a stored path; refuses anything that would leave the root."""
        if not relative_path or "\x00" in relative_path:
            raise ValueError("Empty or invalid file path.")
        posix = PurePosixPath(relative_path.replace("\\", "/"))
        if posix.is_absolute() or Path(relative_path).is_absolute() or ".." in posix.parts:
            raise ValueError(f"Refusing a path outside the file store: {relative_path!r}.")
        root = self.root.resolve()
        path = root.joinpath(*posix.parts).resolve()
        if not path.is_relative_to(root) or path == root:
            raise ValueError(f"Refusing a path outside the file store: {relative_path!r}.")
        return path

    def session_dir(self, session_id: str) -> Path:
        return self.root / "sessions" / _component(session_id, "session id")

    def delete_session(self, session_id: str) -> None:
        """Remove every file of a session; nothing happens if it has none."""
        shutil.rmtree(self.session_dir(session_id), ignore_errors=True)

    def delete_candidate(self, candidate_id: str) -> None:
        """Remove every file of a candidate (their resumes); nothing happens if there is none. A file
        that cannot be removed raises OSError: an erasure must not pass over it in silence."""
        folder = self.root / "candidates" / _component(candidate_id, "candidate id")
        if folder.exists():
            shutil.rmtree(folder)

    def delete(self, relative_path: str) -> bool:
        """Remove one stored file; False when it was already gone. Refuses paths outside the root."""
        path = self.absolute(relative_path)
        if not path.is_file():
            return False
        path.unlink(missing_ok=True)
        return True

    def _save(self, area: str, owner_id: str, name: str, data: bytes) -> str:
        owner = _component(owner_id, "id")
        filename = _component(name, "file name")
        folder = self.root / area / owner
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(folder / filename, data)
        return f"{area}/{owner}/{filename}"


def _component(value: str, what: str) -> str:
    """One plain path component: no separators, no '..', nothing hidden in it."""
    if (
        not value
        or value in (".", "..")
        or ".." in value
        or "/" in value
        or "\\" in value
        or "\x00" in value
        or (os.altsep is not None and os.altsep in value)
        or value != value.strip()
    ):
        raise ValueError(f"Invalid {what}: {value!r} (no path separators or '..').")
    return value


def _write_atomically(target: Path, data: bytes) -> None:
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
