"""The README's promises that can be checked mechanically."""

from __future__ import annotations

import re
from pathlib import Path

from tpm_tui.cli import cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    command = next(line for line in ci_lines if "pytest" in line and not line.startswith("#"))
    assert f"\n{command}\n" in README


def test_every_command_is_documented() -> None:
    documented = set(re.findall(r"`tpm ([a-z]+)", README))
    assert set(cli.commands) <= documented, set(cli.commands) - documented
