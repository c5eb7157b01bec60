"""Where session media and uploads live, as services see it: files named by owner and name.

storage.files.LocalFileStore keeps them on the local disk; services only need this surface.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class FileStore(Protocol):
    root: Path

    def save(self, session_id: str, name: str, data: bytes) -> str:
        """Write (or replace) a session file atomically; returns its path relative to the root."""
        ...

    def save_candidate_file(self, candidate_id: str, name: str, data: bytes) -> str:
        """Write (or replace) a candidate's file; returns its relative path."""
        ...

    def read(self, relative_path: str) -> bytes: ...

    def absolute(self, relative_path: str) -> Path:
        """The real location of a stored path; raises ValueError for anything outside the store."""
        ...

    def session_dir(self, session_id: str) -> Path: ...

    def delete_session(self, session_id: str) -> None: ...

    def delete_candidate(self, candidate_id: str) -> None:
        """Remove every file of a candidate (their resumes); nothing happens if there is none."""
        ...

    def delete(self, relative_path: str) -> bool:
        """Remove one stored file; False when it was already gone. ValueError for a path outside the store."""
        ...
