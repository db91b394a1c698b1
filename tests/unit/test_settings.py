"""Workspace settings."""

from __future__ import annotations

import pytest

from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.services import settings

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL


def test_week_target_default_set_and_refusals(db: Database) -> None:
    assert settings.week_target_minutes(db) == 40 * 60
    assert settings.set_setting(db, "week-target", "37h30m") == "37h30m"
    assert settings.week_target_minutes(db) == 37 * 60 + 30
    assert settings.all_settings(db)[0][:2] == ("week-target", "37h30m")
    with pytest.raises(InvalidInput, match="from 1h to 168h"):
        settings.set_setting(db, "week-target", "200h")
    with pytest.raises(InvalidInput, match="unknown setting 'colour'"):
        settings.set_setting(db, "colour", "red")
    assert settings.week_target_minutes(db) == 37 * 60 + 30
