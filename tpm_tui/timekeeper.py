"""What `t`, `s` and `S` do, from any screen: reads the typed line, checks it with the
services and saves it. The modals get these as callables, so no widget touches the
database."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from tpm_tui.errors import InvalidInput

if TYPE_CHECKING:
    from tpm_tui.services.quicklog import QuickLog
    from tpm_tui.services.timetrack import EntryView
    from tpm_tui.workspace import Workspace


class TimeKeeper:
    """Time actions over one workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    # ------------------------------------------------------------ quick log

    def _quick_line(self, text: str) -> tuple[QuickLog, dict[str, Any]]:
        """The parsed line, and the arguments check_entry and log_entry both take."""
        from tpm_tui.services.quicklog import parse_quick_log

        entry = parse_quick_log(text, self.workspace.clock.today())
        return entry, {
            "minutes": entry.duration,
            "category": entry.category,
            "note": entry.note,
            "day": entry.day,
            "item_id": entry.item_id,
            "starts": entry.starts,
            "ends": entry.ends,
        }

    def quick_check(self, text: str) -> str:
        """The preview of a quick-log line: what enter saves, or the InvalidInput it
        raises. It runs the save's own checks (duration, date range, item, placement)
        without writing, so a line that previews is a line that saves."""
        from tpm_tui.services.quicklog import describe
        from tpm_tui.services.timetrack import check_entry

        ws = self.workspace
        entry, args = self._quick_line(text)
        plan = check_entry(ws.open(), ws.clock, **args)
        return describe(entry, ws.clock.today(), plan.item_title, plan)

    def quick_save(self, text: str) -> str:
        """Save a quick-log line exactly as previewed."""
        from tpm_tui.services.timetrack import log_entry

        ws = self.workspace
        _, args = self._quick_line(text)
        saved = log_entry(ws.open(), ws.clock, **args)
        return f"Logged {saved.describe()} ({saved.span(ws.clock.today())})"

    def history(self) -> tuple[list[str], list[str]]:
        """Earlier entries as quick-log lines (newest first) and their distinct notes."""
        from tpm_tui.durations import format_duration
        from tpm_tui.services.timetrack import recent_entries

        lines: list[str] = []
        notes: list[str] = []
        for entry in recent_entries(self.workspace.open(), self.workspace.clock):
            if entry.running:
                continue
            line = f"{format_duration(entry.minutes)} {entry.category.value}"
            line += f" {entry.note}" if entry.note else ""
            line += f" #{entry.item_id}" if entry.item_id is not None else ""
            if line not in lines:
                lines.append(line)
            if entry.note and entry.note not in notes:
                notes.append(entry.note)
        return lines, notes

    # ------------------------------------------------------------ timer

    def running(self) -> EntryView | None:
        """The running timer, if any."""
        from tpm_tui.services.timetrack import running_timer

        return running_timer(self.workspace.open(), self.workspace.clock)

    def start_check(self, text: str) -> str:
        """The preview of a timer line: it runs the start's own checks (note, item)."""
        from tpm_tui.services.quicklog import parse_timer_line
        from tpm_tui.services.timetrack import check_timer, needs_confirmation

        category, note, item_id = parse_timer_line(text)
        title = check_timer(self.workspace.open(), self.workspace.clock, note, item_id)
        parts = [f"start {category.value}"]
        if note:
            parts.append(note)
        if item_id is not None:
            parts.append(f"#{item_id} {title}")
        current = self.running()
        if current is not None:
            if needs_confirmation(current, self.workspace.clock.now()):
                parts.append(f"(asks when the {current.category.value} timer ended)")
            else:
                parts.append(f"(stops the {current.category.value} timer)")
        return " · ".join(parts)

    def start_save(self, text: str, answer: str | None = None) -> str:
        """Start the timer (stopping a running one, and saying so). A running timer that
        was probably forgotten raises TimerNeedsAnswer (its question): call again with
        the answer, "" to keep it as it is or the time it ended (`17:30`)."""
        from tpm_tui.services.quicklog import parse_timer_line
        from tpm_tui.services.timetrack import start_timer

        category, note, item_id = parse_timer_line(text)
        ws = self.workspace
        ended = None if answer is None else self._stop_at(answer)
        result = start_timer(
            ws.open(),
            ws.clock,
            category,
            note,
            item_id=item_id,
            stop_running_at=ended,
            keep_running=answer is not None and ended is None,
        )
        message = f"Started {category.value}" + (f" · {note}" if note else "")
        if result.stopped is not None:
            message = f"{result.stopped.describe()}; {message[0].lower()}{message[1:]}"
        return message

    def stop_question(self) -> str | None:
        """For a timer left running past midnight or over ten hours, the question to ask."""
        from tpm_tui.services.timetrack import needs_confirmation

        timer = self.running()
        if timer is None or not needs_confirmation(timer, self.workspace.clock.now()):
            return None
        return self.question(timer)

    def question(self, timer: EntryView) -> str:
        """What a forgotten timer asks, from `S` or from `s` starting another."""
        from tpm_tui.services.timetrack import timer_question

        question = timer_question(timer, self.workspace.clock.now())
        return f"{question[0].upper()}{question[1:]}. Keep it, or end it at…"

    def _stop_at(self, text: str) -> datetime | None:
        from tpm_tui.dates import parse_clock_time
        from tpm_tui.services.timetrack import stop_time_at

        timer = self.running()
        if timer is None:
            raise InvalidInput("no timer is running")
        if not text.strip():
            return None
        clock = self.workspace.clock
        return stop_time_at(timer, parse_clock_time(text), clock.now(), clock)

    def stop_check(self, text: str) -> str:
        """The preview of an answer to the stop question (also the start question's)."""
        from tpm_tui.dates import ambiguity

        at = self._stop_at(text)
        if at is None:
            return "keep it as it is"
        twice = ambiguity(self.workspace.clock, at)
        if twice is not None:
            return f"end it at {at:%a %d %b} {twice.taken} ({twice.describe()})"
        return f"end it at {at:%a %d %b %H:%M}"

    def stop_save(self, text: str) -> str:
        """Stop the timer now, or at the typed time."""
        from tpm_tui.services.timetrack import stop_timer

        at = self._stop_at(text)
        ws = self.workspace
        return stop_timer(ws.open(), ws.clock, at=at).describe()
