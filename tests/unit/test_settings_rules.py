"""Stored settings are held to the rule `tpm config` applies (imports use it too), and a
damaged stored value never breaks a reader."""

from __future__ import annotations

import pytest

from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.models import Setting
from tpm_tui.services import settings

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL


@pytest.mark.parametrize("value", ["abc", "", "59", "10081", "2400.0", " 2400", "-60"])
def test_a_stored_value_that_breaks_the_rule_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match="week-target"):
        settings.check_stored("week-target", value)


def test_a_stored_value_that_keeps_the_rule_is_accepted() -> None:
    assert settings.check_stored("week-target", "2280") == "2280"


def test_a_damaged_stored_value_reads_as_the_default(db: Database) -> None:
    with db.orm_write() as session:
        session.add(Setting(key="week-target", value="abc"))
    assert settings.week_target_minutes(db) == 40 * 60
    assert settings.all_settings(db)[0][:2] == ("week-target", "40h")
