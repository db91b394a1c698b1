"""One browser tab's tpm, as `tpm serve` runs it (`python -m tpm_tui.web.tab`): the
board on the workspace TPM_DB names, drawn through textual-serve's protocol (the
TEXTUAL_DRIVER it sets) instead of a terminal."""

from __future__ import annotations

import sys


def main() -> int:
    """Run the app until the tab closes or `q`; a failure is one line on stderr (the
    server prints it) and exit 1."""
    from tpm_tui.app import TpmApp
    from tpm_tui.cli import Env
    from tpm_tui.errors import TpmError
    from tpm_tui.workspace import Workspace

    env = Env(None)
    try:
        app = TpmApp(Workspace(env.location, env.clock))
    except TpmError as error:
        print(f"tpm: {error}", file=sys.stderr)
        return 1
    app.run()
    if app.failure is not None:
        print(f"tpm: {app.failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
