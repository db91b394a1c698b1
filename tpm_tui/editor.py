"""Editing a document in the user's own editor ($VISUAL, else $EDITOR): the text goes
into a private temporary file (0600, in a folder of its own, 0700), the editor runs on
it, and what it saved is read back. A file that vanished, or is no longer text, is
refused in one line; nothing is kept on disk afterwards."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tpm_tui.errors import InvalidInput, TpmError

READ_MAX = 16 * 1024 * 1024  # bytes: far past any document tpm keeps


def editor_command(env: Mapping[str, str] | None = None) -> list[str] | None:
    """The user's editor as a command line ($VISUAL, then $EDITOR), or None if neither
    is set."""
    env = os.environ if env is None else env
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError:
                raise InvalidInput(
                    f"${name} ({value[:40]!r}) cannot be read as a command"
                ) from None
            if words:
                return words
    return None


def edit_in_editor(text: str, name: str, command: list[str]) -> str:
    """Run the editor `command` on `text` in a private file called `name` (`prd-12.md`)
    and return what it saved there."""
    folder = Path(tempfile.mkdtemp(prefix="tpm-edit-"))  # 0700, only ours
    try:
        path = folder / name
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") or not text else text + "\n")
        try:
            done = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            raise TpmError(
                f"cannot run the editor {command[0]!r} ({exc.strerror or exc}): "
                "set $EDITOR to one that exists"
            ) from None
        if done.returncode != 0:
            raise TpmError(
                f"the editor {command[0]!r} exited with {done.returncode}: nothing was saved"
            )
        return read_back(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_back(path: Path) -> str:
    """The text an editor left in `path`: a regular file holding UTF-8 text; anything
    else is refused in one line."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise InvalidInput(
            f"the file {path.name} vanished while it was edited: nothing was saved"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput(f"{path.name} is no longer a plain file: nothing was saved")
    if info.st_size > READ_MAX:
        raise InvalidInput(
            f"{path.name} grew past {READ_MAX // (1024 * 1024)} MB: nothing was saved"
        )
    data = path.read_bytes()
    if b"\x00" in data:
        raise InvalidInput(
            f"{path.name} is not text any more (it holds NUL bytes): nothing was saved"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8 text: nothing was saved") from None
