"""What importing the TUI loads: nothing of the database layer before the first paint
(SQLAlchemy, SQLModel and pydantic cost about 0.3 s and load in a worker afterwards)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic")


def test_importing_the_app_loads_no_database_library() -> None:
    probe = (
        "import sys\n"
        "import tpm_tui.app\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
