"""The local database holds the emulator's key in plain text: its files are its owner's alone."""

from __future__ import annotations

from pathlib import Path


def make_private(path: Path) -> None:
    """The database holds the emulator's key in plain text: only its owner may read it.

    Missing directories are made 0700, the file 0600; SQLite gives the -wal and -shm files it
    creates the database's mode, and older ones are tightened here."""
    make_private_dirs(path.parent)
    make_private_file(path)
    for suffix in ("-wal", "-shm"):
        make_private_file(path.with_name(path.name + suffix), create=False)


def make_private_dirs(directory: Path) -> None:
    """Create the missing directories of `directory`, each 0700 (as the XDG spec asks)."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)


def make_private_file(path: Path, *, create: bool = True) -> None:
    """Create `path` 0600 if it is missing; take group and other access away if we own it."""
    import os
    import stat

    if create:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    owned = info.st_uid == os.getuid() if hasattr(os, "getuid") else False
    if info.st_mode & 0o077 and owned and stat.S_ISREG(info.st_mode):
        os.chmod(path, 0o600)
