"""Which database a command means, before anything is opened: `--db` > TPM_DB >
TPM_HOME > the platform's user data folder. Plain strings only (no pathlib), so the
fastest commands can decide without importing more; config.py turns the choice into
a Location."""

from __future__ import annotations

import os
from collections.abc import Mapping

DB_FILENAME = "tpm.db"


def choose(db_option: str | None, env: Mapping[str, str]) -> tuple[str, str, str]:
    """(how, value, source): `value` is a --db or TPM_DB value to read (a file, a folder
    or a URL), `home` a folder holding tpm.db, `default` the user data folder (whose
    value is left empty: finding it imports platformdirs)."""
    if db_option:
        return "value", db_option, "--db"
    if env.get("TPM_DB"):
        return "value", env["TPM_DB"], "TPM_DB"
    if env.get("TPM_HOME"):
        return "home", env["TPM_HOME"], "TPM_HOME"
    return "default", "", "default"


def default_data_dir() -> str:
    """The platform's user data folder for tpm (platformdirs, imported only now)."""
    from platformdirs import user_data_dir

    return user_data_dir("tpm", appauthor=False)


def plain_file(db_option: str | None, env: Mapping[str, str]) -> str | None:
    """The database file when the choice is an existing plain file (the common case),
    else None (a URL, a folder to create, anything unusual: the full path decides)."""
    how, value, _source = choose(db_option, env)
    if how == "value":
        if "://" in value or ":memory:" in value or "mode=memory" in value:
            return None
        value = os.path.expanduser(value)
        if os.path.isdir(value):
            value = os.path.join(value, DB_FILENAME)
    else:
        folder = value if how == "home" else default_data_dir()
        value = os.path.join(os.path.expanduser(folder), DB_FILENAME)
    return os.path.abspath(value) if os.path.isfile(value) else None
