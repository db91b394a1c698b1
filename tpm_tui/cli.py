"""The `tpm` command line. Each command is a short function over the services, which
are imported inside it so that a quick `tpm log` never loads what it does not use."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from tpm_tui import __version__
from tpm_tui.errors import Conflict, InvalidInput, StorageError, TpmError
from tpm_tui.services.validate import POINTS_RULE

if TYPE_CHECKING:
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.db import Database
    from tpm_tui.services.backlog import ItemView, Rollup
    from tpm_tui.services.timetrack import EntryView, TimerStart


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"tpm: {message}", err=True)
    sys.exit(code)


def _database_failure(exc: BaseException, label: str) -> str | None:
    """A one-line reading of a database exception raised mid-command, or None."""
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.SQLAlchemyError):
        from tpm_tui.db import explain

        return f"{label}: {explain(exc)}"
    return None


class ItemIdType(click.ParamType[Any, Any]):
    """An item id on the command line (`12` or `#12`): the rule is validate.item_id's,
    so an id out of range is one line and exit 2 in every command. `clearable` also
    takes `none` (or `-`), which becomes CLEAR."""

    name = "ID"

    def __init__(self, clearable: bool = False) -> None:
        self.clearable = clearable

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The id as an int (CLEAR for `none` where it may be cleared)."""
        from tpm_tui.services.validate import item_id

        if isinstance(value, int) or value is CLEAR:
            return value
        if self.clearable and str(value).strip().lower() in _NONE_WORDS:
            return CLEAR
        try:
            return item_id(value)
        except InvalidInput as exc:
            self.fail(str(exc), param, ctx)


CLEAR = "none"
"""What a clearable option holds when the user typed `none`."""
ITEM_ID = ItemIdType()
PARENT_ID = ItemIdType(clearable=True)


class TpmGroup(click.Group):
    """A group that turns every expected failure into one line and an exit code:
    2 for bad input, 1 for a data problem; never a traceback for those."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        code = 0
        try:
            rv = super().main(args, prog_name or "tpm", complete_var, False, **extra)
            code = rv if isinstance(rv, int) else 0
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "tpm"
            click.echo(f"tpm: {exc.format_message()} (see `{where} --help`)", err=True)
            code = 2
        except click.ClickException as exc:
            click.echo(f"tpm: {exc.format_message()}", err=True)
            code = exc.exit_code
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo("tpm: interrupted", err=True)
            code = 130
        except InvalidInput as exc:
            click.echo(f"tpm: {exc}", err=True)
            code = 2
        except (StorageError, Conflict, TpmError) as exc:
            click.echo(f"tpm: {exc}", err=True)
            code = 1
        except BrokenPipeError:
            code = 1
        except Exception as exc:
            env = _current_env()
            message = _database_failure(exc, env.label if env else "database")
            if message is None:
                raise
            click.echo(f"tpm: {message}", err=True)
            code = 1
        if standalone_mode:
            sys.exit(code)
        return code


class Env:
    """What every command shares: where the database is, opened on first use, and the clock."""

    def __init__(self, db_option: str | None) -> None:
        self.db_option = db_option
        self._db: Database | None = None
        self._location: Location | None = None

    @property
    def location(self) -> Location:
        """The resolved database location."""
        if self._location is None:
            from tpm_tui.config import resolve_location

            self._location = resolve_location(self.db_option)
        return self._location

    @property
    def label(self) -> str:
        """The database as named in messages."""
        return self.location.label

    @property
    def db(self) -> Database:
        """The open database (created and migrated on first use)."""
        if self._db is None:
            from tpm_tui.db import open_database

            self._db = open_database(self.location)
        return self._db

    @property
    def clock(self) -> Clock:
        """The system clock, or a frozen one when TPM_NOW is set (tests, demos)."""
        from tpm_tui.clock import clock_from_environment

        try:
            return clock_from_environment(os.environ)
        except ValueError:
            frozen = os.environ.get("TPM_NOW")
            raise InvalidInput(f"TPM_NOW={frozen!r} is not an ISO date and time") from None


_ENV: list[Env] = []


def _current_env() -> Env | None:
    return _ENV[-1] if _ENV else None


pass_env = click.make_pass_decorator(Env)


@click.group(
    cls=TpmGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db_option",
    metavar="PATH_OR_URL",
    help="Database file or SQLAlchemy URL (else TPM_DB, TPM_HOME, or the user data folder).",
)
@click.version_option(__version__, "--version", prog_name="tpm", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, db_option: str | None) -> None:
    """tpm: the backlog, the roadmap and where the hours went, from the keyboard.

    Log time in seconds: `tpm log 30m meetings standup`; see the week: `tpm report`.
    """
    env = Env(db_option)
    _ENV[:] = [env]  # kept after the command ends: its error handler names the file
    ctx.obj = env
    if ctx.invoked_subcommand is None:
        _run_tui(env, "board")


_SCREENS = {
    "board": ("the board", "`tpm list` prints the items"),
    "roadmap": ("the roadmap", "`tpm roadmap --format md` prints it"),
    "time": ("the time screen", "`tpm status` prints today"),
    "week": ("the week screen", "`tpm report` prints the week"),
    "sprint": ("the sprint screen", "`tpm sprint show` prints the sprint"),
    "goals": ("the goals screen", "`tpm goal list` prints the goals"),
}


def _run_tui(env: Env, mode: str, location: Location | None = None) -> None:
    """Open the terminal UI (the only path that imports Textual)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        name, instead = _SCREENS.get(mode, ("the board", "`tpm --help` lists the commands"))
        raise InvalidInput(f"{name} needs a terminal; {instead}")
    from tpm_tui.app import TpmApp
    from tpm_tui.workspace import Workspace

    app = TpmApp(Workspace(location or env.location, env.clock), mode=mode)
    app.run()
    if app.failure is not None:
        raise StorageError(app.failure)


@cli.command()
@pass_env
def board(env: Env) -> None:
    """Open the backlog board (what plain `tpm` does)."""
    _run_tui(env, "board")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tui", "md"]),
    default="tui",
    show_default=True,
    help="md prints the roadmap as a Markdown table instead of opening it.",
)
@pass_env
def roadmap(env: Env, fmt: str) -> None:
    """Open the roadmap, or print it as Markdown (item, dates, done %, status)."""
    if fmt == "md":
        from tpm_tui.services.roadmap import load_roadmap, render_markdown

        click.echo(render_markdown(load_roadmap(env.db, env.clock)), nl=False)
        return
    _run_tui(env, "roadmap")


@cli.command(name="time")
@pass_env
def time_(env: Env) -> None:
    """Open today's time entries."""
    _run_tui(env, "time")


@cli.command()
@pass_env
def week(env: Env) -> None:
    """Open this week's breakdown against the typical split."""
    _run_tui(env, "week")


# ---------------------------------------------------------------- time


def _parse_day(text: str | None, clock: Clock) -> date | None:
    from tpm_tui.dates import parse_day

    return None if text is None else parse_day(text, clock.today())


@cli.command()
@click.argument("duration")
@click.argument("category")
@click.argument("note", nargs=-1)
@click.option("--date", "day", metavar="DATE", help="ISO date, today, yesterday or a weekday name.")
@click.option("--from", "starts", metavar="HH:MM", help="When it started (else it is placed).")
@click.option(
    "--item", "item_id", type=ITEM_ID, metavar="ID", help="The work item the time went to."
)
@pass_env
def log(
    env: Env,
    duration: str,
    category: str,
    note: tuple[str, ...],
    day: str | None,
    starts: str | None,
    item_id: int | None,
) -> None:
    """Log time already spent: DURATION (or a span, 9:00-9:30) CATEGORY [NOTE...].

    Without a time it goes right after the day's last entry if that fits before now,
    else in the day's latest free time long enough for it, else it ends now; a
    warning says when it overlaps another entry.

    \b
    tpm log 45m meetings sprint planning
    tpm log 9:00-9:30 m standup
    tpm log 1h30m t backlog grooming --item 12
    tpm log 2h deliverables PRD draft --date yesterday --from 14:00
    """
    from tpm_tui.dates import parse_clock_time
    from tpm_tui.kinds import parse_category
    from tpm_tui.services.quicklog import parse_length
    from tpm_tui.services.timetrack import log_entry, overlapping_entries

    length, span = parse_length(duration)
    if span is not None and starts is not None:
        raise InvalidInput(f"{duration} already says when: leave out --from")
    minutes = None if span is not None else length
    begin, end = span if span is not None else (None, None)
    if starts is not None:
        begin = parse_clock_time(starts)
    parsed_category = parse_category(category)
    clock = env.clock
    entry = log_entry(
        env.db,
        clock,
        minutes,
        parsed_category,
        " ".join(note),
        day=_parse_day(day, clock),
        item_id=item_id,
        starts=begin,
        ends=end,
    )
    today = clock.today()
    click.echo(f"logged {entry.describe()} ({entry.span(today)})")
    others = overlapping_entries(env.db, clock, entry)
    if others:
        listed = "; ".join(f"{o.times()} {o.category.value}" for o in others[:3])
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        click.echo(
            f"tpm: warning: this entry overlaps {listed}{more} (`tpm time` shows the day)",
            err=True,
        )


def _when_it_ended(env: Env, timer: EntryView, at: str | None, keep: bool, command: str) -> Any:
    """For a timer that was probably forgotten: the moment it really ended (from --at or
    asked on a terminal), None to keep it as it is; refused without a terminal."""
    from tpm_tui.dates import parse_clock_time
    from tpm_tui.services.timetrack import stop_time_at, timer_question

    clock = env.clock
    now = clock.now()
    if at is not None:
        return _noting_ambiguity(env, stop_time_at(timer, parse_clock_time(at), now, clock))
    if keep:
        return None
    question = timer_question(timer, now)
    if not _can_ask():
        raise InvalidInput(
            f"{question}: say `{command} --at HH:MM` to end it when you stopped, "
            f"or `{command} --keep`"
        )
    answer = click.prompt(f"{question}. Keep it, or end it at (HH:MM)?", default="keep").strip()
    if answer.lower() in ("keep", "k", "y", "yes"):
        return None
    return _noting_ambiguity(env, stop_time_at(timer, parse_clock_time(answer), now, clock))


def _can_ask() -> bool:
    """Whether a question can be asked (standard input is a terminal)."""
    return sys.stdin.isatty()


def _noting_ambiguity(env: Env, moment: datetime) -> datetime:
    """`moment`, after a note on stderr when its time of day happened twice that night."""
    from tpm_tui.dates import ambiguity

    twice = ambiguity(env.clock, moment)
    if twice is not None:
        click.echo(f"tpm: note: {twice.describe()} (say --at {twice.other} for it)", err=True)
    return moment


@cli.command()
@click.argument("category")
@click.argument("note", nargs=-1)
@click.option(
    "--item", "item_id", type=ITEM_ID, metavar="ID", help="The work item the time goes to."
)
@click.option("--at", "at", metavar="HH:MM", help="When a forgotten running timer really ended.")
@click.option("--keep", is_flag=True, help="Keep a forgotten running timer as it is (ends now).")
@pass_env
def start(
    env: Env, category: str, note: tuple[str, ...], item_id: int | None, at: str | None, keep: bool
) -> None:
    """Start a timer: CATEGORY [NOTE...]. A running timer is stopped first; one that ran
    past midnight or over 10 hours is not stopped blindly (tpm asks, or wants --at or
    --keep)."""
    from tpm_tui.errors import TimerNeedsAnswer
    from tpm_tui.kinds import parse_category
    from tpm_tui.services.timetrack import running_timer, start_timer

    parsed = parse_category(category)
    clock = env.clock

    def begin(ended: datetime | None, keep_running: bool) -> TimerStart:
        return start_timer(
            env.db,
            clock,
            parsed,
            " ".join(note),
            item_id=item_id,
            stop_running_at=ended,
            keep_running=keep_running,
        )

    ended: datetime | None = None
    if at is not None:
        timer = running_timer(env.db, clock)
        if timer is None:
            raise InvalidInput("no timer is running: --at says when a running one ended")
        ended = _when_it_ended(env, timer, at, keep, "tpm start")
    try:
        result = begin(ended, keep)
    except TimerNeedsAnswer as asked:  # a forgotten timer: ask (on a terminal) or refuse
        ended = _when_it_ended(env, asked.timer, None, False, "tpm start")
        result = begin(ended, ended is None)
    if result.stopped is not None:
        click.echo(result.stopped.describe())
    click.echo(
        f"started {result.started.category.value}"
        + (f" · {result.started.note}" if result.started.note else "")
        + f" at {result.started.started_at:%H:%M}"
    )


@cli.command()
@click.option(
    "--at",
    "at",
    metavar="HH:MM",
    help="End the timer at this time instead of now (01:40-05:00 picks the second "
    "01:40 of the night the clocks go back).",
)
@click.option(
    "--keep", is_flag=True, help="Keep a timer that ran past midnight or over 10 hours as it is."
)
@pass_env
def stop(env: Env, at: str | None, keep: bool) -> None:
    """Stop the running timer (now, or --at the time you really stopped)."""
    from tpm_tui.dates import parse_clock_time
    from tpm_tui.services.timetrack import (
        needs_confirmation,
        running_timer,
        stop_time_at,
        stop_timer,
    )

    clock = env.clock
    timer = running_timer(env.db, clock)
    if timer is None:
        raise InvalidInput("no timer is running: `tpm start CATEGORY` starts one")
    now = clock.now()
    end = None
    if at is not None:
        end = _noting_ambiguity(env, stop_time_at(timer, parse_clock_time(at), now, clock))
    elif needs_confirmation(timer, now) and not keep:
        end = _when_it_ended(env, timer, None, False, "tpm stop")
    click.echo(stop_timer(env.db, clock, at=end).describe())


@cli.command()
@pass_env
@click.option(
    "--short",
    is_flag=True,
    help="One line for a shell prompt or a tmux status bar: `● meetings 0:25 standup`.",
)
def status(env: Env, short: bool) -> None:
    """Show the running timer and today's time per category."""
    from tpm_tui.dates import since_words
    from tpm_tui.durations import format_duration
    from tpm_tui.services.timetrack import status as get_status

    clock = env.clock
    current = get_status(env.db, clock)
    if short:
        click.echo(_status_line(current))
        return
    if current.running is not None:
        run = current.running
        since = since_words(run.started_at, clock.now())
        click.echo(
            f"running: {run.category.value}"
            + (f" · {run.note}" if run.note else "")
            + f" for {format_duration(run.minutes)} (since {since})"
        )
    else:
        click.echo("no timer running")
    parts = ", ".join(f"{c.value} {format_duration(m)}" for c, m in current.today.items() if m)
    click.echo(f"today: {format_duration(current.today_total)}" + (f" ({parts})" if parts else ""))


def _status_line(current: Any) -> str:
    """The one line of `tpm status --short` (the same as its short way prints)."""
    from tpm_tui.statusline import render

    run = current.running
    if run is None:
        return render(None, 0, "", current.today_total)
    return render(run.category.value, run.minutes, run.note, current.today_total)


_WEEK_HELP = "ISO week such as 2026-W48, or a date inside it (default: this week)."


@cli.group(invoke_without_command=True)
@click.option("--week", metavar="WEEK", help=_WEEK_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "md"]),
    default="table",
    show_default=True,
)
@click.option("--user", "person", metavar="NAME", help="That person's week (team mode).")
@click.option("--team", is_flag=True, help="Everyone's week: per person and together.")
@click.pass_context
def report(ctx: click.Context, week: str | None, fmt: str, person: str | None, team: bool) -> None:
    """Where a week's hours went, per category and day, against the typical shares: my
    week, `--user NAME`'s or the whole `--team`'s. `tpm report status` writes the
    week's status report."""
    if ctx.invoked_subcommand is not None:
        return
    from tpm_tui.dates import parse_week
    from tpm_tui.services.reports import render_week

    env = ctx.find_object(Env)
    assert env is not None
    if person is not None and team:
        raise InvalidInput("give --user NAME or --team, not both")
    if person is not None:
        from tpm_tui.text import clean_line

        person = clean_line(person)
        if not person:
            raise InvalidInput("--user needs a name, such as --user ana")
    monday = parse_week(week) if week else None
    if team:
        from tpm_tui.services.team_report import render_team_week

        click.echo(render_team_week(env.db, env.clock, monday, fmt), nl=False)
        return
    click.echo(render_week(env.db, env.clock, monday, fmt, person=person), nl=False)


@report.command(name="status")
@click.option("--week", metavar="WEEK", help=_WEEK_HELP)
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@pass_env
def report_status(env: Env, week: str | None, fmt: str) -> None:
    """The week's status report: headline (sprint and goals), done this week, roadmap
    and dates that moved, risks, the next 7 days, and the time split."""
    from tpm_tui.dates import parse_week
    from tpm_tui.services.status_report import render

    monday = parse_week(week) if week else None
    click.echo(render(env.db, env.clock, monday, fmt), nl=False)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--week", metavar="WEEK", help="ISO week (2026-W13) or a date in it (default: this week)."
)
@click.option("--from", "from_day", metavar="DATE", help="First day (YYYY-MM-DD), with --to.")
@click.option("--to", "to_day", metavar="DATE", help="Last day (YYYY-MM-DD), with --from.")
@click.option(
    "--apply", "apply_", is_flag=True, help="Log them (else only show what it would log)."
)
@click.option(
    "--as",
    "category",
    default="meetings",
    show_default=True,
    help="Category for the meetings: meetings, tooling or deliverables (rules may override).",
)
@click.option(
    "--me", metavar="EMAIL", help="Your address(es), for declined events (else `tpm config email`)."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_env
def meetings(
    env: Env,
    file: Path,
    week: str | None,
    from_day: str | None,
    to_day: str | None,
    apply_: bool,
    category: str,
    me: str | None,
    fmt: str,
) -> None:
    """Log a calendar file's meetings (.ics) of a week as time: recurring ones expanded,
    declined, cancelled, free and all-day ones skipped; again changes nothing."""
    from tpm_tui.config import shown
    from tpm_tui.dates import parse_iso_date, parse_week
    from tpm_tui.importers.calendar import (
        log_meetings,
        parse_emails,
        parse_rules,
        plan_line,
        plan_meetings,
        plan_summary,
        read_calendar,
    )
    from tpm_tui.kinds import parse_category
    from tpm_tui.services.settings import get_setting, set_setting

    clock = env.clock
    kind = parse_category(category).value
    if week is not None and (from_day or to_day):
        raise InvalidInput("give --week or --from/--to, not both")
    if (from_day is None) != (to_day is None):
        raise InvalidInput("--from and --to go together")
    if from_day is not None and to_day is not None:
        first, last = parse_iso_date(from_day, "--from"), parse_iso_date(to_day, "--to")
        if last < first:
            raise InvalidInput("--to is before --from")
        if (last - first).days > 400:
            raise InvalidInput("at most 400 days at once")
    else:
        first = (
            parse_week(week) if week else clock.today() - timedelta(days=clock.today().weekday())
        )
        last = first + timedelta(days=6)
    start, end = clock.day_bounds(first, (last - first).days + 1)
    data = read_import_bytes(file)
    db = env.db
    addresses = parse_emails(me) if me is not None else parse_emails(get_setting(db, "email"))
    rules = parse_rules(get_setting(db, "meeting-rules"))
    found = read_calendar(data, shown(file), start, end, me=addresses, rules=rules, category=kind)
    plans = plan_meetings(db, clock, found)
    if apply_:
        log_meetings(db, clock, found)
        set_setting(db, "meetings-file", str(file))
    if fmt == "json":
        rows = [
            {
                "event": p.key,
                "title": p.meeting.title,
                "start": p.meeting.start.isoformat(),
                "end": p.meeting.end.isoformat(),
                "category": p.meeting.category,
                "action": p.action,
                "skip": p.meeting.skip,
                "overlaps": list(p.overlaps),
            }
            for p in plans
        ]
        click.echo(json.dumps({"applied": apply_, "meetings": rows}, indent=2, ensure_ascii=False))
        return
    click.echo(plan_summary(plans, apply_))
    for plan in plans:
        click.echo(f"  {plan_line(plan, clock)}".rstrip())


# ---------------------------------------------------------------- backlog

_NONE_WORDS = ("", "none", "-")


def _cleared(value: int | str | None) -> int | None:
    """An id from a clearable option: None for `none` (CLEAR)."""
    return None if value is None or value == CLEAR else int(value)


def _optional_date(value: str | None, what: str) -> date | None:
    from tpm_tui.dates import parse_iso_date

    if value is None or value.strip().lower() in _NONE_WORDS:
        return None
    return parse_iso_date(value, what)


def _sprint_id(env: Env, value: str | None) -> int | None:
    from tpm_tui.services.planning import resolve_sprint

    if value is None or value.strip().lower() in _NONE_WORDS:
        return None
    return resolve_sprint(env.db, env.clock, value).id


def _item_line(item: ItemView, columns: dict[str, str], where: str = "in") -> str:
    """`#3 story 'Export invoices' in Review, 5 pts` (`to Review` after a move); epics
    and features have no points of their own (theirs are the roll-up `tpm list` shows)."""
    column = columns.get(item.status, item.status)
    line = f"#{item.id} {item.kind.value} {item.title!r} {where} {column}"
    if item.kind.level < 2:
        return line
    return line + (f", {item.points} pts" if item.points is not None else ", no estimate")


def _column_names(env: Env) -> dict[str, str]:
    from tpm_tui.services.backlog import list_columns

    return {c.key: c.name for c in list_columns(env.db)}


_item_options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
    click.option(
        "--points",
        metavar="N",
        help=f"Story points: {POINTS_RULE} (none clears). Epics and features take none: "
        "theirs are the roll-up.",
    ),
    click.option(
        "--parent",
        type=PARENT_ID,
        metavar="ID",
        help="Parent epic or feature id (none clears).",
    ),
    click.option(
        "--status", metavar="COLUMN", help="Board column: backlog, todo, in_progress, review, done."
    ),
    click.option(
        "--sprint", metavar="SPRINT", help="Sprint name or id, or `current` (none clears)."
    ),
    click.option("--owner", metavar="NAME", help="Who owns it."),
    click.option("--start", metavar="DATE", help="Start date (YYYY-MM-DD) for the roadmap."),
    click.option("--target", metavar="DATE", help="Target date (YYYY-MM-DD) for the roadmap."),
    click.option("--description", metavar="TEXT", help="Description (Markdown; PRDs: `tpm prd`)."),
    click.option("--acceptance", metavar="TEXT", help="Acceptance criteria."),
    click.option(
        "--goal",
        metavar="GOAL",
        help="The goal an epic serves: G3, or part of its title (none clears).",
    ),
]


def item_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The item fields shared by `add` and `edit`."""
    for option in reversed(_item_options):
        func = option(func)
    return func


@cli.command()
@click.argument("kind")
@click.argument("title")
@item_options
@click.option("-q", "--quiet", is_flag=True, help="Print only the new item's id.")
@pass_env
def add(
    env: Env,
    kind: str,
    title: str,
    points: str | None,
    parent: int | str | None,
    status: str | None,
    sprint: str | None,
    owner: str | None,
    start: str | None,
    target: str | None,
    description: str | None,
    acceptance: str | None,
    goal: str | None,
    quiet: bool,
) -> None:
    """Add a work item: KIND (epic, feature, story, bug, debt) and TITLE.

    \b
    tpm add epic "Self-serve invoicing" --start 2026-12-01 --target 2027-02-26
    tpm add story "Export invoices" --points 5 --parent 3
    tpm add debt "Upgrade the SDK" --parent 1 --status todo --sprint current
    """
    from tpm_tui.kinds import Kind, parse_kind
    from tpm_tui.services.backlog import create_item

    parsed_kind = parse_kind(kind)
    goal_id = _goal_id(env, goal)
    if goal_id is not None and parsed_kind is not Kind.EPIC:
        raise InvalidInput(f"only epics serve goals; this is a {parsed_kind.value}")
    item = create_item(
        env.db,
        env.clock,
        parsed_kind,
        title,
        points=points,
        parent_id=_cleared(parent),
        status=status,
        sprint_id=_sprint_id(env, sprint),
        owner=owner,
        start_date=_optional_date(start, "--start"),
        target_date=_optional_date(target, "--target"),
        description=description,
        acceptance=acceptance,
        goal_id=goal_id,
    )
    if quiet:
        click.echo(str(item.id))
        return
    click.echo(f"added {_item_line(item, _column_names(env))}{_goal_words(env, item)}")


@cli.command()
@click.argument("item_id", type=ITEM_ID, metavar="ID")
@click.option("--title", metavar="TEXT", help="New title.")
@click.option("--kind", metavar="KIND", help="epic, feature, story, bug or debt.")
@click.option(
    "--blocked-by",
    "blocked_by",
    type=ITEM_ID,
    multiple=True,
    metavar="ID",
    help="Another item this one waits for (the roadmap flags it if it starts first).",
)
@click.option(
    "--not-blocked-by",
    "unblocked_by",
    type=ITEM_ID,
    multiple=True,
    metavar="ID",
    help="Forget such a dependency.",
)
@item_options
@pass_env
def edit(
    env: Env,
    item_id: int,
    title: str | None,
    kind: str | None,
    blocked_by: tuple[int, ...],
    unblocked_by: tuple[int, ...],
    points: str | None,
    parent: int | str | None,
    status: str | None,
    sprint: str | None,
    owner: str | None,
    start: str | None,
    target: str | None,
    description: str | None,
    acceptance: str | None,
    goal: str | None,
) -> None:
    """Change fields of item ID; only the options given change (`none` clears one).

    \b
    tpm edit 12 --points 8 --sprint current
    tpm edit 3 --start 2026-12-07 --target 2027-01-29
    tpm edit 3 --goal G1
    """
    from tpm_tui.kinds import parse_kind
    from tpm_tui.services.backlog import edit_item

    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title
    if kind is not None:
        changes["kind"] = parse_kind(kind)
    if points is not None:
        changes["points"] = None if points.strip().lower() in _NONE_WORDS else points
    if parent is not None:
        changes["parent_id"] = _cleared(parent)
    if status is not None:
        changes["status"] = status
    if sprint is not None:
        changes["sprint_id"] = _sprint_id(env, sprint)
    if owner is not None:
        changes["owner"] = owner
    if start is not None:
        changes["start_date"] = _optional_date(start, "--start")
    if target is not None:
        changes["target_date"] = _optional_date(target, "--target")
    if description is not None:
        changes["description"] = description
    if acceptance is not None:
        changes["acceptance"] = acceptance
    if not changes and not blocked_by and not unblocked_by and goal is None:
        raise InvalidInput("nothing to change: give at least one option (see `tpm edit --help`)")
    from tpm_tui.services.backlog import add_dependency, get_item, remove_dependency

    goal_id = _goal_id(env, goal)
    for blocker in blocked_by:
        add_dependency(env.db, item_id, blocker)
    for blocker in unblocked_by:
        remove_dependency(env.db, item_id, blocker)
    item = (
        edit_item(env.db, env.clock, item_id, **changes) if changes else get_item(env.db, item_id)
    )
    if goal is not None:
        from tpm_tui.services.goals import link_epic

        item = link_epic(env.db, env.clock, item_id, goal_id)
    click.echo(f"saved {_item_line(item, _column_names(env))}{_goal_words(env, item)}")


def _goal_id(env: Env, text: str | None) -> int | None:
    """A goal's id from a --goal option (None for none or when not given)."""
    if text is None or text.strip().lower() in _NONE_WORDS:
        return None
    from tpm_tui.services.goals import resolve_goal

    return resolve_goal(env.db, text).id


def _goal_words(env: Env, item: ItemView) -> str:
    """`, serving G1 Customers bill themselves` for an epic with a goal."""
    if item.goal_id is None:
        return ""
    from tpm_tui.services.goals import resolve_goal

    goal = resolve_goal(env.db, str(item.goal_id))
    return f", serving {goal.label} {goal.title!r}"


@cli.command()
@click.argument("item_id", type=ITEM_ID, metavar="ID")
@click.argument("status", metavar="COLUMN")
@pass_env
def move(env: Env, item_id: int, status: str) -> None:
    """Move item ID to another board column (`tpm move 12 done`)."""
    from tpm_tui.services.backlog import move_item

    item = move_item(env.db, env.clock, item_id, status)
    click.echo(f"moved {_item_line(item, _column_names(env), 'to')}")


@cli.command()
@click.argument("item_id", type=ITEM_ID, metavar="ID")
@pass_env
def archive(env: Env, item_id: int) -> None:
    """Archive item ID (off the board; `tpm restore ID` brings it back)."""
    from tpm_tui.services.backlog import set_archived

    item = set_archived(env.db, env.clock, item_id, True)
    click.echo(f"archived #{item.id} {item.title!r} (`tpm restore {item.id}` undoes it)")


def _item_dict(item: ItemView, rollup: Rollup | None, blockers: list[int]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind.value,
        "title": item.title,
        "status": item.status,
        "rank": item.rank,
        "points": item.points,
        "parent_id": item.parent_id,
        "epic_id": item.epic_id,
        "sprint": item.sprint,
        "owner": item.owner,
        "start_date": item.start_date.isoformat() if item.start_date else None,
        "target_date": item.target_date.isoformat() if item.target_date else None,
        "archived": item.archived,
        "blocked_by": blockers,
    }
    if item.kind.value == "epic":
        data["goal_id"] = item.goal_id  # the goal the epic serves (None: none)
    if item.kind.level < 2:
        data["rollup_points"] = rollup.total_points if rollup else 0
        data["done_points"] = rollup.done_points if rollup else 0
        data["done_percent"] = rollup.done_percent if rollup else 0
    return data


@cli.command(name="list")
@click.option("--status", metavar="COLUMN", help="Only this board column.")
@click.option("--kind", metavar="KIND", help="Only this kind (epic, feature, story, bug, debt).")
@click.option("--archived", is_flag=True, help="Only archived items.")
@click.option("--all", "show_all", is_flag=True, help="Archived items too.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_env
def list_(
    env: Env, status: str | None, kind: str | None, archived: bool, show_all: bool, fmt: str
) -> None:
    """List work items in board order."""
    from tpm_tui.kinds import parse_kind
    from tpm_tui.services.backlog import list_items, rollups

    kinds = [parse_kind(kind)] if kind else None
    items = list_items(env.db, status=status, kinds=kinds, archived=None if show_all else archived)
    sums = rollups(env.db) if any(i.kind.level < 2 for i in items) else {}
    if fmt == "json":
        from tpm_tui.services.backlog import dependencies

        waits = dependencies(env.db)
        rows = [_item_dict(i, sums.get(i.id), waits.get(i.id, [])) for i in items]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not items:
        click.echo(
            "no items"
            + (" match" if status or kind or archived else ' yet: `tpm add story "..."` adds one')
        )
        return
    names = _column_names(env)
    click.echo(f"{'id':>5}  {'kind':<7} {'column':<12} {'pts':>4} {'done':>5}  {'title':<50} epic")
    for item in items:
        # an epic's or feature's points are its roll-up, never a stray value of its own
        pts = "" if item.points is None else str(item.points)
        done = ""
        if item.kind.level < 2:
            rollup = sums.get(item.id)
            pts = str(rollup.total_points) if rollup else "0"
            done = f"{rollup.done_percent if rollup else 0}%"
        title = item.title if len(item.title) <= 50 else item.title[:49] + "…"
        flag = " (archived)" if item.archived else ""
        click.echo(
            f"{'#' + str(item.id):>5}  {item.kind.value:<7} "
            f"{names.get(item.status, item.status)[:12]:<12} "
            f"{pts:>4} {done:>5}  {title:<50} {(item.epic_title or '')[:24]}{flag}"
        )


# ---------------------------------------------------------------- goals, vision, PRDs


@cli.command()
@pass_env
def goals(env: Env) -> None:
    """Open the goals screen: the vision, the goals, their key results and epics."""
    _run_tui(env, "goals")


@cli.group()
def goal() -> None:
    """Product goals and their key results (`tpm goal list` shows them)."""


@goal.command(name="add")
@click.argument("title")
@click.option("--due", metavar="DATE", help="When the goal should be met (YYYY-MM-DD).")
@click.option("--description", metavar="TEXT", help="What it means, in a sentence or two.")
@pass_env
def goal_add(env: Env, title: str, due: str | None, description: str | None) -> None:
    """Add a goal: TITLE.

    \b
    tpm goal add "Customers bill themselves" --due 2027-03-31
    """
    from tpm_tui.services.goals import create_goal

    made = create_goal(env.db, env.clock, title, description or "", _optional_date(due, "--due"))
    due_words = f", due {made.due_date}" if made.due_date else ""
    click.echo(f"added {made.label} {made.title!r}{due_words}")


@goal.command(name="edit")
@click.argument("goal_ref", metavar="GOAL")
@click.option("--title", metavar="TEXT", help="New title.")
@click.option("--due", metavar="DATE", help="Due date (YYYY-MM-DD; none clears).")
@click.option("--description", metavar="TEXT", help="New description.")
@pass_env
def goal_edit(
    env: Env, goal_ref: str, title: str | None, due: str | None, description: str | None
) -> None:
    """Change a goal's title, due date or description."""
    from tpm_tui.services.goals import edit_goal, resolve_goal

    if title is None and due is None and description is None:
        raise InvalidInput("nothing to change: give --title, --due or --description")
    found = resolve_goal(env.db, goal_ref)
    changed = edit_goal(
        env.db,
        found.id,
        title=title,
        description=description,
        due_date=_optional_date(due, "--due"),
        clear_due=due is not None and due.strip().lower() in _NONE_WORDS,
    )
    due_words = f", due {changed.due_date}" if changed.due_date else ""
    click.echo(f"saved {changed.label} {changed.title!r}{due_words}")


@goal.command(name="kr")
@click.argument("goal_ref", metavar="GOAL")
@click.argument("title")
@click.option("--baseline", required=True, metavar="N", help="Where the number stands now.")
@click.option("--target", required=True, metavar="N", help="Where it should get to.")
@click.option("--unit", default="", metavar="UNIT", help="Its unit: %, ms, tickets…")
@click.option("--current", metavar="N", help="Its value today, if measured already.")
@click.option("--due", metavar="DATE", help="When it should reach the target (YYYY-MM-DD).")
@pass_env
def goal_kr(
    env: Env,
    goal_ref: str,
    title: str,
    baseline: str,
    target: str,
    unit: str,
    current: str | None,
    due: str | None,
) -> None:
    """Add a key result to GOAL: a metric TITLE from a baseline to a target.

    \b
    tpm goal kr G1 "Activation rate" --baseline 12 --target 25 --unit % --current 14
    """
    from tpm_tui.services.goals import add_key_result, resolve_goal

    found = resolve_goal(env.db, goal_ref)
    kr = add_key_result(
        env.db,
        env.clock,
        found.id,
        title,
        baseline,
        target,
        unit,
        current,
        _optional_date(due, "--due"),
    )
    now = f", now {kr.shown(kr.current)}" if kr.values else ""
    click.echo(
        f"added KR{kr.id} {kr.title!r} to {found.label}: "
        f"{kr.shown(kr.baseline)} → {kr.shown(kr.target)}{now}"
    )


@goal.command(name="update")
@click.argument("kr_ref", metavar="KR")
@click.argument("value")
@click.option("--date", "day", metavar="DATE", help="The day it was measured (default today).")
@pass_env
def goal_update(env: Env, kr_ref: str, value: str, day: str | None) -> None:
    """Record key result KR's VALUE (every value is kept: its history).

    \b
    tpm goal update KR3 17.5
    tpm goal update 3 16 --date yesterday
    """
    from tpm_tui.services.goals import record_value, resolve_key_result

    kr = resolve_key_result(env.db, kr_ref)
    updated, measured = record_value(env.db, env.clock, kr.id, value, _parse_day(day, env.clock))
    from tpm_tui.services.progress import key_result_progress

    way = key_result_progress(measured.value, updated.baseline, updated.target)
    latest = updated.values[-1]
    # A value for an earlier day than the latest one does not become the current value.
    still = (
        f"; the current value stays {updated.shown(latest.value)} ({latest.recorded_on})"
        if latest.id != measured.id
        else ""
    )
    click.echo(
        f"KR{updated.id} {updated.title!r}: {updated.shown(measured.value)} on "
        f"{measured.recorded_on} ({way:.0f} % of the way from "
        f"{updated.shown(updated.baseline)} to {updated.shown(updated.target)}{still}) "
        f"{updated.sparkline()}"
    )


@goal.command(name="archive")
@click.argument("goal_ref", metavar="GOAL")
@pass_env
def goal_archive(env: Env, goal_ref: str) -> None:
    """Archive GOAL (`tpm goal restore` brings it back)."""
    from tpm_tui.services.goals import resolve_goal, set_goal_archived

    found = resolve_goal(env.db, goal_ref)
    set_goal_archived(env.db, env.clock, found.id, True)
    click.echo(
        f"archived {found.label} {found.title!r} (`tpm goal restore {found.label}` undoes it)"
    )


@goal.command(name="restore")
@click.argument("goal_ref", metavar="GOAL")
@pass_env
def goal_restore(env: Env, goal_ref: str) -> None:
    """Bring an archived GOAL back."""
    from tpm_tui.services.goals import resolve_goal, set_goal_archived

    found = resolve_goal(env.db, goal_ref)
    set_goal_archived(env.db, env.clock, found.id, False)
    click.echo(f"restored {found.label} {found.title!r}")


@goal.command(name="list")
@click.option("--archived", is_flag=True, help="Only archived goals.")
@click.option("--all", "show_all", is_flag=True, help="Archived goals too.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "md"]),
    default="table",
    show_default=True,
)
@pass_env
def goal_list(env: Env, archived: bool, show_all: bool, fmt: str) -> None:
    """The goals with their key results (baseline → target, current value, history)
    and the epics serving them; outcome and output side by side."""
    from tpm_tui.services.goal_views import render_goals
    from tpm_tui.services.goals import load_goals

    found = load_goals(env.db, env.clock, archived=None if show_all else archived)
    if archived and not show_all and not found.goals and fmt == "table":
        click.echo("no archived goals (`tpm goal archive G1` archives one)")
        return
    click.echo(render_goals(found, fmt), nl=False)


def _edit_text(
    text: str,
    name: str,
    title: str,
    save: Callable[[str], str],
    check: Callable[[str], tuple[str, ...]] | None = None,
) -> None:
    """Edit `text` in $VISUAL/$EDITOR (or, with neither set, the built-in editor) and
    hand what was written to `save`, which says what it did."""
    from tpm_tui.editor import edit_in_editor, editor_command

    command = editor_command()
    if command is not None:
        from tpm_tui.services.documents import DocumentChanged

        edited = edit_in_editor(text, name, command)
        try:
            said = save(edited)
        except DocumentChanged as changed:  # saved elsewhere meanwhile: keep the text
            import tempfile

            from tpm_tui.config import write_private_text

            kept = Path(tempfile.mkdtemp(prefix="tpm-kept-")) / name  # 0700, only ours
            write_private_text(kept, edited)
            raise TpmError(f"{changed}; your text is kept in {kept}") from None
        click.echo(said)
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InvalidInput(
            "no editor: set $EDITOR (export EDITOR=nano), or run this in a terminal for "
            "the built-in editor"
        )
    from tpm_tui.screens.prd import run_editor

    last_said = run_editor(title, text, save, check)
    if last_said:
        click.echo(last_said)


def _one_of(**flags: bool) -> None:
    """Refuse two of these options at once."""
    given = [f"--{name.replace('_', '-')}" for name, on in flags.items() if on]
    if len(given) > 1:
        raise InvalidInput(f"{' and '.join(given)} do different things: give one of them")


def _print_history(versions: list[Any], what: str) -> None:
    if not versions:
        click.echo(f"{what} has no saved version yet")
        return
    for v in versions:
        sections = f"  {v.sections} sections" if v.sections.total else ""
        click.echo(
            f"v{v.number:<3} {v.saved_at.astimezone():%Y-%m-%d %H:%M}{sections}  "
            f"{v.length:,} characters"
        )


@cli.command()
@click.option("--edit", "edit_it", is_flag=True, help="Write it in $EDITOR (or a built-in editor).")
@click.option("--history", is_flag=True, help="List its saved versions.")
@click.option("--diff", "show_diff", is_flag=True, help="Show its last change.")
@pass_env
def vision(env: Env, edit_it: bool, history: bool, show_diff: bool) -> None:
    """Print the product vision (a short Markdown statement above the goals)."""
    from tpm_tui.services import goals as goal_service

    _one_of(edit=edit_it, history=history, diff=show_diff)
    db, clock = env.db, env.clock
    if history:
        _print_history(goal_service.vision_history(db), "the vision")
        return
    if show_diff:
        change = goal_service.vision_change(db, clock)
        click.echo(change or "the vision has at most one version: no change to show")
        return
    found = goal_service.vision(db)
    if not edit_it:
        if found is None:
            click.echo("No vision yet: `tpm vision --edit` writes it.")
        else:
            click.echo(found.body)
        return

    editing = goal_service.vision_editing(db, clock)
    start = editing.text

    def save(text: str) -> str:
        if editing.new and text.rstrip() == start.rstrip():
            return "no change: the template was left as it was; the vision is unsaved"
        saved = editing.save(text)  # a version saved meanwhile is not overwritten
        return "saved the vision" if saved.changed else "no change: the vision is as it was"

    _edit_text(start, "vision.md", "Vision", save)


@cli.command()
@click.argument("item_id", type=ITEM_ID, metavar="EPIC")
@click.option("--edit", "edit_it", is_flag=True, help="Write it in $EDITOR (or a built-in editor).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write it (with the appendix) to FILE.",
)
@click.option("--history", is_flag=True, help="List its saved versions.")
@click.option("--diff", "show_diff", is_flag=True, help="Show its last change.")
@pass_env
def prd(
    env: Env, item_id: int, edit_it: bool, output: Path | None, history: bool, show_diff: bool
) -> None:
    """Print EPIC's PRD with the generated appendix (its features and stories: points,
    status, acceptance criteria, blockers).

    \b
    tpm prd 3
    tpm prd 3 --edit
    tpm prd 3 --output prd-invoicing.md
    """
    from tpm_tui.services import prd as prd_service

    _one_of(edit=edit_it, output=output is not None, history=history, diff=show_diff)
    db, clock = env.db, env.clock
    epic = prd_service.epic_of(db, item_id)
    if history:
        _print_history(prd_service.history(db, item_id), f"the PRD of #{item_id}")
        return
    if show_diff:
        change = prd_service.last_change(db, clock, item_id)
        click.echo(change or f"the PRD of #{item_id} has at most one version: no change to show")
        return
    if output is not None:
        from tpm_tui.config import shown, write_private_text

        _check_name_length(output.absolute())
        try:
            write_private_text(output, prd_service.render(db, item_id))
        except OSError as exc:
            raise StorageError(f"{shown(output)}: cannot write it ({exc.strerror or exc})") from exc
        click.echo(f"wrote the PRD of #{item_id} to {shown(output)}")
        return
    if not edit_it:
        click.echo(prd_service.render(db, item_id), nl=False)
        return

    editing = prd_service.PrdEditing(db, clock, item_id)
    start = editing.text

    def save(text: str) -> str:
        if editing.new and text.rstrip() == start.rstrip():
            return f"no change: the template was left as it was; the PRD of #{item_id} is unsaved"
        saved = editing.save(text)  # a version saved meanwhile is not overwritten
        if not saved.changed:
            return f"no change: the PRD of #{item_id} is as it was"
        left = prd_service.check_sections(text).unwritten
        empty = f"; still to write: {', '.join(left)}" if left else ""
        return f"saved the PRD of #{item_id} ({saved.sections} sections written{empty})"

    _edit_text(
        start,
        f"prd-{item_id}.md",
        f"PRD #{item_id} {epic.title}",
        save,
        lambda text: prd_service.check_sections(text).unwritten,
    )


# ---------------------------------------------------------------- workspace


@cli.command()
@pass_env
def doctor(env: Env) -> None:
    """Check the database (read-only): where it is, schema, integrity, contents, backups."""
    from tpm_tui.services.maintenance import diagnose

    checks = diagnose(env.location)
    marks = {True: "✓", False: "✗", None: "·"}
    for check in checks:
        line = f"{marks[check.ok]} {check.name:<12}{check.detail}"
        click.echo(line + (f"\n    → {check.advice}" if check.advice and check.ok is False else ""))
    problems = [c for c in checks if c.ok is False]
    if problems:
        click.echo(f"tpm: {len(problems)} problem(s) found; see the → lines above", err=True)
        sys.exit(1)


@cli.command()
@pass_env
def backup(env: Env) -> None:
    """Write a consistent copy of the database (0600) and print its path."""
    click.echo(str(env.db.backup()))


def _names_a_file(text: str) -> bool:
    """Whether `text` is the path of an existing file (a name too long for the system
    is not)."""
    try:
        return os.path.lexists(text)
    except (OSError, ValueError):
        return False


@cli.command(name="restore")
@click.argument("target", metavar="ID|BACKUP")
@pass_env
def restore(env: Env, target: str) -> None:
    """Restore archived item ID to the board, or replace the database with the BACKUP
    file (the current state is backed up first).

    \b
    tpm restore 12
    tpm restore ~/.local/share/tpm/backups/tpm.db-20261126T101500000000Z-manual.db
    """
    from tpm_tui.config import shown
    from tpm_tui.services.maintenance import (
        can_replace,
        check_backup,
        replace_damaged,
        restore_workspace,
        set_aside,
    )

    if target.lstrip("#").isdigit() and not _names_a_file(target):
        from tpm_tui.services.backlog import set_archived
        from tpm_tui.services.validate import item_id

        item = set_archived(env.db, env.clock, item_id(target), False)
        click.echo(f"restored {_item_line(item, _column_names(env))}")
        return
    backup_file = Path(target).expanduser().absolute()
    location = env.location
    if location.path is None:
        raise InvalidInput("restore works on SQLite files; use tpm import for a server database")
    _check_name_length(backup_file)
    revision = check_backup(backup_file)
    if os.path.realpath(backup_file) == os.path.realpath(location.path):
        raise InvalidInput(f"{shown(backup_file)} is the database itself")
    refusal = can_replace(location.path)
    if refusal is not None:
        raise StorageError(
            f"{location.label}: {refusal}; restore replaces only a tpm database "
            "(move this file away, or pass another --db)"
        )
    try:
        db = env.db
    except StorageError:  # the database is damaged: keep it as it is, then replace it
        assert location.backup_dir is not None
        previous = set_aside(location.path, location.backup_dir)
        replace_damaged(location.path, backup_file)
    else:
        previous = restore_workspace(db, backup_file)
    click.echo(
        f"restored {shown(backup_file)} (schema {revision}); the previous state is in "
        f"{shown(previous)}"
    )


def _check_name_length(path: Path) -> None:
    """Refuse, in one line, a file name the file system would refuse."""
    from tpm_tui.config import check_name_length, shown

    check_name_length(path, shown(path)[:60] + "…" if len(str(path)) > 60 else shown(path))


@cli.command()
@click.argument("key", required=False)
@click.argument("value", required=False)
@pass_env
def config(env: Env, key: str | None, value: str | None) -> None:
    """Show the settings, or set one: `tpm config week-target 38h`, `tpm config wip.review 4`."""
    from tpm_tui.cli_sprints import set_wip, wip_lines
    from tpm_tui.services.settings import SETTINGS, all_settings, get_setting, set_setting

    if key is None:
        rows = all_settings(env.db)
        width = max(10, *(len(shown) + 2 for _, shown, _ in rows))  # long values fit
        for name, shown, help_text in rows:
            click.echo(f"{name:<14}{shown:<{width}}{help_text}")
        for line in wip_lines(env, width):
            click.echo(line)
    elif key.startswith("wip."):
        set_wip(env, key, value)
    elif value is None:
        stored = get_setting(env.db, key)  # refuses an unknown key
        click.echo(SETTINGS[key].show(stored))
    else:
        click.echo(f"{key} = {set_setting(env.db, key, value)}")


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jira-csv"]),
    default="json",
    show_default=True,
    help="json: the whole workspace (for `tpm import`); jira-csv: the backlog for Jira.",
)
@pass_env
def export(env: Env, file: Path | None, fmt: str) -> None:
    """Write the whole workspace as JSON to FILE (or to standard output), or with
    --format jira-csv the backlog as a CSV Jira imports."""
    from tpm_tui.config import shown, write_private_text

    if fmt == "jira-csv":
        from tpm_tui.importers.jira_export import jira_csv

        text = jira_csv(env.db)
    else:
        from tpm_tui.services.transfer import export_workspace

        text = json.dumps(export_workspace(env.db, env.clock), indent=1, ensure_ascii=False)
        text += "\n"
    if file is None or str(file) == "-":
        click.echo(text, nl=False)
        return
    _check_name_length(file.absolute())
    try:
        write_private_text(file, text)
    except OSError as exc:
        raise StorageError(
            f"{shown(file)}: cannot write the export ({exc.strerror or exc})"
        ) from exc
    click.echo(f"exported to {shown(file)}", err=True)


# An export of a very large workspace is tens of MB; more is not an export.
IMPORT_MAX_BYTES = 200 * 1024 * 1024


def read_import(file: Path) -> str:
    """The text of an import file (or of standard input for `-`): a regular file no
    larger than IMPORT_MAX_BYTES, refused in one line otherwise."""
    from tpm_tui.config import shown

    try:
        return read_import_bytes(file).decode("utf-8")
    except UnicodeDecodeError as exc:
        name = "standard input" if str(file) == "-" else shown(file)
        raise InvalidInput(f"{name}: cannot read it ({shown(str(exc))})") from None


def read_import_bytes(file: Path) -> bytes:
    """The bytes of an import file (or of standard input for `-`), as read_import."""
    from tpm_tui.config import shown

    limit = f"larger than {IMPORT_MAX_BYTES // (1024 * 1024)} MB: that is not a tpm export"
    try:
        if str(file) == "-":
            data = sys.stdin.buffer.read(IMPORT_MAX_BYTES + 1)
            if len(data) > IMPORT_MAX_BYTES:
                raise InvalidInput(f"standard input is {limit}")
            return data
        _check_name_length(file.absolute())
        # O_NONBLOCK: opening a FIFO must not wait for a writer before it is refused.
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InvalidInput(f"{shown(file)}: not a regular file; import reads a file")
            if info.st_size > IMPORT_MAX_BYTES:
                raise InvalidInput(f"{shown(file)}: {limit}")
            data = handle.read(IMPORT_MAX_BYTES + 1)
            if len(data) > IMPORT_MAX_BYTES:  # it grew while being read
                raise InvalidInput(f"{shown(file)}: {limit}")
        return data
    except OSError as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise InvalidInput(f"{shown(file)}: cannot read it ({shown(str(reason))})") from None


@cli.command(name="import")
@click.argument("file", type=click.Path(allow_dash=True, path_type=Path))
@click.option(
    "--replace", is_flag=True, help="Replace a non-empty workspace (a backup is taken first)."
)
@click.option(
    "--from",
    "source",
    type=click.Choice(["jira", "github", "linear"]),
    help="Read FILE as a Jira CSV, `gh issue list --json` or Linear CSV export.",
)
@click.option("--dry-run", is_flag=True, help="With --from: show what it would do, change nothing.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="STATUS=COLUMN",
    help="With --from: send a status to a column ('In QA=review'); repeatable.",
)
@click.option("--skip-bad", is_flag=True, help="With --from: import the good rows of a file.")
@click.option("--restore", is_flag=True, help="With --from: bring back items archived in tpm.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    help="With --from: the summary as text or JSON.",
)
@pass_env
def import_(
    env: Env,
    file: Path,
    replace: bool,
    source: str | None,
    dry_run: bool,
    maps: tuple[str, ...],
    skip_bad: bool,
    restore: bool,
    fmt: str,
) -> None:
    """Restore a `tpm export` FILE (- for standard input) into an empty workspace, or
    with --from bring a Jira, GitHub or Linear export in (again: it updates)."""
    from tpm_tui.config import shown

    if source is not None:
        if replace:
            raise InvalidInput("--replace is for a tpm export; --from adds and updates items")
        options = {"dry_run": dry_run, "skip_bad": skip_bad, "restore": restore}
        _import_from(env, file, source, maps, fmt, options)
        return
    used = [
        name
        for name, on in (
            ("--dry-run", dry_run),
            ("--map", maps),
            ("--skip-bad", skip_bad),
            ("--restore", restore),
        )
        if on
    ]
    if used:
        raise InvalidInput(f"{used[0]} needs --from jira|github|linear")
    from tpm_tui.services.transfer import check_import, import_workspace, json_int

    raw = read_import(file)
    try:
        data = json.loads(raw, parse_int=json_int)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InvalidInput(f"{shown(file)}: not valid JSON ({exc})") from None
    clock = env.clock
    rows = check_import(data, clock)
    result = import_workspace(env.db, rows, replace=replace, clock=clock)
    summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in result.counts.items())
    click.echo(
        f"imported {summary}"
        + (f"; the previous workspace is in {shown(result.backup)}" if result.backup else "")
    )


def _import_from(
    env: Env, file: Path, source: str, maps: tuple[str, ...], fmt: str, options: dict[str, bool]
) -> None:
    """`tpm import --from SOURCE FILE`: the summary, how the export was read, and the
    rows skipped with --skip-bad (each with its line)."""
    from tpm_tui.config import shown
    from tpm_tui.importers.backlog_import import import_backlog, parse_maps, read_export

    mapping = parse_maps(maps)
    name = "standard input" if str(file) == "-" else shown(file)
    clock = env.clock
    parsed = read_export(source, read_import_bytes(file), name, clock)
    result = import_backlog(env.db, clock, parsed, maps=mapping, **options)
    if fmt == "json":
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        return
    click.echo(result.summary())
    for line in result.mapping:
        click.echo(f"  {line}")
    for problem in result.problems:
        click.echo(f"  skipped {problem}")


@cli.command()
@click.option("--no-open", is_flag=True, help="Only build it; do not open the board.")
@pass_env
def demo(env: Env, no_open: bool) -> None:
    """Build a sample workspace in a throwaway database and open the board on it."""
    import tempfile

    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.services.demo import build_demo

    if env.db_option or os.environ.get("TPM_DB"):
        # Never written into: the demo is a sample, not something to mix with real work.
        click.echo(f"(the demo builds its own workspace; {env.label} is left as it is)")
    folder = Path(tempfile.mkdtemp(prefix="tpm-demo-"))
    path = folder / "tpm.db"
    location = Location.for_file(path, "demo")
    db = open_database(location)
    counts = build_demo(db, env.clock)
    db.close()
    click.echo(
        f"demo workspace: {path}\n"
        f"  {counts['epics']} epics, {counts['features']} features, "
        f"{counts['items']} stories, bugs "
        f"and debt, {counts['sprints']} sprints, {counts['entries']} time entries\n"
        f"try:\n"
        f"  tpm --db {path} list\n"
        f"  tpm --db {path} report\n"
        f"  export TPM_DB={path}   # to use it for every command in this shell"
    )
    if no_open or not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo(f"the demo workspace stays in {folder} until you remove it (rm -r {folder})")
        return
    try:
        _run_tui(env, "board", location)
    finally:  # a throwaway workspace: gone with the TUI
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    click.echo(f"removed the demo workspace {folder} (`tpm demo --no-open` keeps one)")


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; any but loopback needs the token.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="The port (0: any free one).",
)
@click.option(
    "--token",
    metavar="TOKEN",
    help="The token the URL must carry (?token=…); generated beyond loopback if not given.",
)
@click.option(
    "--read-only", is_flag=True, help="Refuse every change (a review screen no stray key alters)."
)
@pass_env
def serve(env: Env, host: str, port: int, token: str | None, read_only: bool) -> None:
    """Serve the workspace to browser tabs: the same screens and keys, each tab its own
    tpm, live on the same database. Loopback only unless --host is given.

    \b
    tpm serve --read-only                   # the sprint review on a shared screen
    tpm serve --host 0.0.0.0 --port 8080    # others on the network, with the token
    """
    from tpm_tui.config import read_only_requested

    try:
        from tpm_tui.web.server import ServeOptions, check_token, is_loopback, new_token
        from tpm_tui.web.server import serve as run_server
    except ImportError as exc:
        missing = (exc.name or "textual_serve").split(".")[0]
        raise TpmError(
            f"`tpm serve` needs the serve extra ({missing} is missing): "
            "pip install 'tpm-tui[serve]'"
        ) from None
    if token is not None:
        token = check_token(token)
    elif not is_loopback(host):
        token = new_token()
    env.db.close()  # opened once here: a database that cannot be used stops us before listening
    location = env.location
    options = ServeOptions(
        host=host,
        port=port,
        token=token,
        read_only=read_only or read_only_requested(),
        database=location.url,
        workspace=location.label,
    )
    ended = run_server(options, click.echo)
    click.echo(f"tpm serve: stopped; {ended} tab{'s' if ended != 1 else ''} closed")


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="tpm")


# The sprint, team, stand-up and column commands register themselves on `cli`.
from tpm_tui import cli_sprints  # noqa: E402, F401
