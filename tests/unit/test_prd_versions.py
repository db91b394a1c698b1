"""A PRD or the vision saved over a version saved elsewhere since it was opened is
refused, never a silent revert: in the services, and for `tpm prd EPIC --edit` and
`tpm vision --edit` (whose text is kept)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli_runner import cli_env
from tests.conftest import NOW, Seeded
from tpm_tui.cli import cli
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.services import goals, prd
from tpm_tui.services.documents import DocumentChanged

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.both_engines,
]


def _body(seeded: Seeded) -> str:
    found = prd.current(seeded.db, seeded.epic)
    assert found is not None
    return found.body + "\n"  # (stored without the last line's end)


def test_a_save_over_a_version_saved_meanwhile_is_refused(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    prd.save_prd(db, clock, seeded.epic, "# PRD\n\nOne.\n")
    mine = prd.PrdEditing(db, clock, seeded.epic)
    theirs = prd.PrdEditing(db, clock, seeded.epic)
    assert theirs.save("# PRD\n\nTheirs.\n").changed  # version 2
    with pytest.raises(DocumentChanged, match="version 2 was saved elsewhere at") as refused:
        mine.save("# PRD\n\nMine.\n")
    assert _body(seeded) == "# PRD\n\nTheirs.\n"  # nothing reverted
    assert len(prd.history(db, seeded.epic)) == 2
    assert refused.value.number == 2 and refused.value.theirs.body == "# PRD\n\nTheirs."
    # the same text as theirs is no conflict (nothing to save)
    assert not mine.save("# PRD\n\nTheirs.\n").changed
    assert mine.save("# PRD\n\nMine.\n").changed  # now over version 2
    assert _body(seeded) == "# PRD\n\nMine.\n"


def test_saving_over_theirs_when_asked(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    mine = prd.PrdEditing(db, clock, seeded.epic)  # the template: no PRD yet
    assert mine.new
    prd.PrdEditing(db, clock, seeded.epic).save("# PRD\n\nTheirs.\n")
    with pytest.raises(DocumentChanged) as refused:
        mine.save("# PRD\n\nMine.\n")
    refused.value.rebase(refused.value.theirs.version_id)  # the user's "save mine over it"
    assert mine.save("# PRD\n\nMine.\n").changed
    assert [v.number for v in prd.history(db, seeded.epic)] == [1, 2]
    assert _body(seeded) == "# PRD\n\nMine.\n"


def _vision_body(seeded: Seeded) -> str:
    found = goals.vision(seeded.db)
    assert found is not None
    return found.body + "\n"


def test_a_vision_saved_over_a_version_saved_meanwhile_is_refused(
    seeded: Seeded, clock: Clock
) -> None:
    db = seeded.db
    mine = goals.vision_editing(db, clock)  # the template: no vision yet
    assert mine.new and mine.text == goals.VISION_TEMPLATE
    theirs = goals.vision_editing(db, clock)
    assert theirs.save("# Vision\n\nTheirs.\n").changed
    with pytest.raises(DocumentChanged, match="version 1 was saved elsewhere at") as refused:
        mine.save("# Vision\n\nMine.\n")
    assert _vision_body(seeded) == "# Vision\n\nTheirs.\n"  # nothing reverted
    found = mine.newer()  # what the editor shows when nothing was typed
    assert found is not None and found.theirs.body == "# Vision\n\nTheirs."
    refused.value.rebase(refused.value.theirs.version_id)  # the user's "save mine over it"
    assert mine.save("# Vision\n\nMine.\n").changed
    assert mine.newer() is None
    assert [v.number for v in goals.vision_history(db)] == [1, 2]
    assert _vision_body(seeded) == "# Vision\n\nMine.\n"


@pytest.mark.parametrize("document", ["prd", "vision"])
def test_shell_edit_over_a_save_made_meanwhile_exits_1_and_keeps_the_text(
    seeded: Seeded, workspace_location: Location, clock: Clock, tmp_path: Path, document: str
) -> None:
    if document == "prd":
        args, body = ["prd", str(seeded.epic), "--edit"], _body
        prd.save_prd(seeded.db, clock, seeded.epic, "# PRD\n\nOne.\n")
    else:
        args, body = ["vision", "--edit"], _vision_body
        goals.save_vision(seeded.db, clock, "# PRD\n\nOne.\n")
    # The editor of the outer `tpm … --edit` saves another version (an inner `tpm …
    # --edit`, as another terminal would) before writing its own text.
    inner = tmp_path / "inner.py"
    inner.write_text(
        "import sys\nopen(sys.argv[1], 'w').write('# PRD\\n\\nTheirs.\\n')\n", encoding="utf-8"
    )
    outer = tmp_path / "outer.py"
    outer.write_text(
        "import os, subprocess, sys\n"
        f"env = {{**os.environ, 'EDITOR': {f'{sys.executable} {inner}'!r}}}\n"
        f"subprocess.run([sys.executable, '-m', 'tpm_tui', *{args!r}], env=env, check=True)\n"
        "open(sys.argv[1], 'w').write('# PRD\\n\\nMine.\\n')\n",
        encoding="utf-8",
    )
    env = {
        **cli_env(workspace_location),
        "VISUAL": "",
        "TPM_NOW": NOW.isoformat(),
        "EDITOR": f"{sys.executable} {outer}",
    }
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("tpm: not saved: version 2 was saved elsewhere at ")
    kept = Path(line.rsplit("your text is kept in ", 1)[1])
    assert kept.read_text(encoding="utf-8") == "# PRD\n\nMine.\n"
    assert body(seeded) == "# PRD\n\nTheirs.\n"
