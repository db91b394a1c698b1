"""Workspace settings: a few named values with defaults, checked when set."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tpm_tui.db import Database
from tpm_tui.durations import format_duration, parse_duration
from tpm_tui.errors import InvalidInput
from tpm_tui.sql import compiled as q


def _week_target(text: str) -> str:
    minutes = parse_duration(text)
    if not 60 <= minutes <= 168 * 60:
        raise InvalidInput("the weekly target must be from 1h to 168h", "week-target")
    return str(minutes)


def _email(text: str) -> str:
    from tpm_tui.importers.calendar import parse_emails

    return ", ".join(sorted(parse_emails(text)))


def _meeting_rules(text: str) -> str:
    from tpm_tui.importers.calendar import parse_rules, show_rules

    return show_rules(parse_rules(text))


def _meetings_file(text: str) -> str:
    from pathlib import Path

    if not text.strip():
        return ""
    try:
        return str(Path(text.strip()).expanduser().resolve())
    except (OSError, RuntimeError, ValueError):
        raise InvalidInput(f"{text[:60]!r} is not a path", "meetings-file") from None


@dataclass(frozen=True)
class SettingSpec:
    """One setting: what it means, its default, how a typed value is checked and shown."""

    help: str
    default: str
    parse: Callable[[str], str]
    show: Callable[[str], str]


SETTINGS: dict[str, SettingSpec] = {
    "week-target": SettingSpec(
        "hours a week the week screen measures the total against",
        "2400",
        _week_target,
        lambda stored: format_duration(int(stored)),
    ),
    "email": SettingSpec(
        "your calendar address(es): `tpm meetings` skips what you declined",
        "",
        _email,
        str,
    ),
    "meeting-rules": SettingSpec(
        "`Focus time=deliverables; Lunch=skip`: meetings by title to a category, or skipped",
        "",
        _meeting_rules,
        str,
    ),
    "meetings-file": SettingSpec(
        "the calendar file `M` on the time screen reads (set by `tpm meetings --apply`)",
        "",
        _meetings_file,
        str,
    ),
}


def _spec(key: str) -> SettingSpec:
    if key not in SETTINGS:
        raise InvalidInput(f"unknown setting {key!r}: use {', '.join(SETTINGS)}", "key")
    return SETTINGS[key]


def check_stored(key: str, value: str) -> str:
    """A value as stored (an import's, say), checked by the very rule `tpm config`
    applies to a typed one: shown, then read back, it must come out the same."""
    spec = _spec(key)
    try:
        same = spec.parse(spec.show(value)) == value
    except (ValueError, InvalidInput):
        same = False
    if not same:
        raise InvalidInput(f"{key} {value[:40]!r} is not a valid value: {spec.help}", "value")
    return value


def get_setting(db: Database, key: str) -> str:
    """The stored value of `key`, or its default (also for a stored value that breaks
    its rule, so a damaged setting never stops a screen or a report)."""
    spec = _spec(key)
    with db.read() as ex:
        stored = ex.scalar(q.setting_get, key=key)
    if stored is None:
        return spec.default
    try:
        return check_stored(key, stored)
    except InvalidInput:
        return spec.default


def set_setting(db: Database, key: str, text: str) -> str:
    """Check and store a value typed by a person; returns it as shown."""
    spec = _spec(key)
    value = spec.parse(text)
    with db.write() as ex:
        ex.run(q.setting_delete, key=key)
        ex.run(q.setting_insert, key=key, value=value)
    return spec.show(value)


def all_settings(db: Database) -> list[tuple[str, str, str]]:
    """(key, value as shown, help) for every setting."""
    return [(key, spec.show(get_setting(db, key)), spec.help) for key, spec in SETTINGS.items()]


def week_target_minutes(db: Database) -> int:
    """The weekly hours target, in minutes (40h unless set)."""
    return int(get_setting(db, "week-target"))
