"""LocalFileStore: paths stay inside the root, writes are atomic, sessions clean up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import storage.files
from storage.files import LocalFileStore


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "runtime")


def test_save_writes_under_the_session_folder_and_returns_a_relative_path(store: LocalFileStore) -> None:
    relative = store.save("abc123", "audio.wav", b"RIFF....")
    assert relative == "sessions/abc123/audio.wav"
    assert (store.root / "sessions" / "abc123" / "audio.wav").read_bytes() == b"RIFF...."
    assert store.read(relative) == b"RIFF...."
    assert store.absolute(relative) == (store.root / relative).resolve()
    assert store.session_dir("abc123") == store.root / "sessions" / "abc123"


def test_candidate_files_live_in_their_own_folder(store: LocalFileStore) -> None:
    relative = store.save_candidate_file("cand1", "My Resume.pdf", b"%PDF-1.7")
    assert relative == "candidates/cand1/My Resume.pdf"
    assert store.read(relative) == b"%PDF-1.7"


def test_saving_again_replaces_the_file_and_leaves_no_temporary_files(store: LocalFileStore) -> None:
    store.save("s1", "board.png", b"first")
    store.save("s1", "board.png", b"second, longer content")
    assert store.read("sessions/s1/board.png") == b"second, longer content"
    assert sorted(p.name for p in store.session_dir("s1").iterdir()) == ["board.png"]


def test_a_failed_write_keeps_the_old_file_and_cleans_up(
    store: LocalFileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save("s1", "video.mp4", b"complete recording")

    def crash(src: str, dst: str) -> None:
        assert Path(src).read_bytes() == b"half"  # the new bytes went to a temporary file first
        raise OSError("disk full")

    monkeypatch.setattr(storage.files.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save("s1", "video.mp4", b"half")
    assert store.read("sessions/s1/video.mp4") == b"complete recording"
    assert sorted(p.name for p in store.session_dir("s1").iterdir()) == ["video.mp4"]


@pytest.mark.parametrize("name", ["", ".", "..", "../x.wav", "a/b.wav", "a\\b.wav", "..hidden", "x\x00.wav", " x.wav"])
def test_unsafe_names_are_refused(store: LocalFileStore, name: str) -> None:
    with pytest.raises(ValueError):
        store.save("s1", name, b"x")
    with pytest.raises(ValueError):
        store.save_candidate_file("c1", name, b"x")
    assert not (store.root / "x.wav").exists()


@pytest.mark.parametrize("owner", ["", "..", "../other", "a/b", "a\\b"])
def test_unsafe_ids_are_refused(store: LocalFileStore, owner: str) -> None:
    with pytest.raises(ValueError):
        store.save(owner, "x.wav", b"x")
    with pytest.raises(ValueError):
        store.save_candidate_file(owner, "x.wav", b"x")
    with pytest.raises(ValueError):
        store.session_dir(owner)
    with pytest.raises(ValueError):
        store.delete_session(owner)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "../secret",
        "sessions/../../secret",
        "/etc/passwd",
        "sessions/s1/../../../secret",
        "..\\secret",
        ".",
    ],
)
def test_reading_outside_the_root_is_refused(store: LocalFileStore, tmp_path: Path, path: str) -> None:
    (tmp_path / "secret").write_bytes(b"do not read")
    with pytest.raises(ValueError):
        store.absolute(path)
    with pytest.raises(ValueError):
        store.read(path)


def test_a_symlink_out_of_the_root_is_refused(store: LocalFileStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"do not read")
    store.save("s1", "ok.txt", b"fine")
    os.symlink(outside, store.session_dir("s1") / "link")
    with pytest.raises(ValueError):
        store.read("sessions/s1/link/secret.txt")


def test_delete_session_removes_only_that_session(store: LocalFileStore) -> None:
    store.save("s1", "a.wav", b"1")
    store.save("s2", "b.wav", b"2")
    store.delete_session("s1")
    store.delete_session("never-existed")
    assert not store.session_dir("s1").exists()
    assert store.read("sessions/s2/b.wav") == b"2"
