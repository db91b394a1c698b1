"""The commands of sprints and their ceremonies (`tpm sprint …`, `tpm team …`,
`tpm standup`, `tpm column …`), registered on the `tpm` group by cli.py. Services are
imported inside each command, as in cli.py."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from tpm_tui.cli import ITEM_ID, Env, _column_names, _parse_day, _run_tui, cli, pass_env
from tpm_tui.errors import InvalidInput

if TYPE_CHECKING:
    from tpm_tui.services.planning import SprintView

FORMATS = click.Choice(["table", "json", "md"])


def _sprint(env: Env, text: str | None) -> SprintView:
    """A sprint by name, id or `current`; without one, the running sprint (else the next
    planned, else the latest)."""
    from tpm_tui.errors import NotFound
    from tpm_tui.services.planning import list_sprints, resolve_sprint
    from tpm_tui.services.sprints import default_sprint

    if text is not None:
        return resolve_sprint(env.db, env.clock, text)
    found = default_sprint(list_sprints(env.db), env.clock.today())
    if found is None:
        raise NotFound('no sprint yet: `tpm sprint new "Sprint 1" --start mon --length 2w`')
    return found


def _day(env: Env, text: str | None, what: str) -> Any:
    day = _parse_day(text, env.clock)
    if day is None:
        raise InvalidInput(f"{what} needs a date")
    return day


@cli.group(invoke_without_command=True)
@click.pass_context
def sprint(ctx: click.Context) -> None:
    """Sprints: plan, follow and close them. Without a command, open the sprint screen.

    \b
    tpm sprint new "Sprint 25" --start mon --length 2w --goal "Invoicing beta"
    tpm sprint add current 12 14 15
    tpm sprint show --format json
    tpm sprint close --carry-to "Sprint 26"
    """
    if ctx.invoked_subcommand is None:
        _run_tui(ctx.find_object(Env), "sprint")  # type: ignore[arg-type]


@sprint.command(name="new")
@click.argument("name")
@click.option(
    "--start", "start", required=True, metavar="DATE", help="First day (mon, 2026-11-30)."
)
@click.option("--end", "end", metavar="DATE", help="Last day (or say --length).")
@click.option("--length", "length", metavar="LENGTH", help="2w, 10d or a number of days.")
@click.option("--goal", default="", metavar="TEXT", help="The sprint goal.")
@click.option(
    "--capacity", type=click.IntRange(0, 10_000), metavar="POINTS", help="Points, set by hand."
)
@pass_env
def sprint_new(
    env: Env,
    name: str,
    start: str,
    end: str | None,
    length: str | None,
    goal: str,
    capacity: int | None,
) -> None:
    """Add a sprint: NAME, its first day, and its last day or length."""
    from tpm_tui.services.planning import create_sprint
    from tpm_tui.services.sprints import end_of

    first = _day(env, start, "--start")
    last = end_of(first, _parse_day(end, env.clock), length)
    made = create_sprint(env.db, name, first, last, goal, capacity)
    click.echo(f"added {made.name}: {made.dates()} ({made.days} days)")


@sprint.command(name="list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_env
def sprint_list(env: Env, fmt: str) -> None:
    """Every sprint, earliest first, with its state and velocity."""
    from tpm_tui.services.planning import list_sprints

    today = env.clock.today()
    sprints = list_sprints(env.db)
    if fmt == "json":
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "start": s.start_date.isoformat(),
                "end": s.end_date.isoformat(),
                "goal": s.goal,
                "capacity": s.capacity,
                "velocity": s.velocity,
                "state": s.state(today),
            }
            for s in sprints
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not sprints:
        click.echo('no sprints yet: `tpm sprint new "Sprint 1" --start mon --length 2w`')
        return
    click.echo(f"{'id':>4}  {'name':<24} {'dates':<25} {'state':<8} {'velocity':>8}  goal")
    for s in sprints:
        velocity = "" if s.velocity is None else str(s.velocity)
        click.echo(
            f"{s.id:>4}  {s.name[:24]:<24} {s.dates():<25} {s.state(today):<8} "
            f"{velocity:>8}  {s.goal.splitlines()[0][:40] if s.goal else ''}"
        )


@sprint.command(name="show")
@click.argument("name", metavar="[SPRINT]", required=False)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_env
def sprint_show(env: Env, name: str | None, fmt: str) -> None:
    """A sprint's commitment, scope changes, progress, burndown and items (the running
    one by default)."""
    from tpm_tui.services.sprints import render_report, report_dict, sprint_report

    report = sprint_report(env.db, env.clock, _sprint(env, name).id)
    if fmt == "json":
        click.echo(json.dumps(report_dict(report), indent=2, ensure_ascii=False))
        return
    click.echo(render_report(report, _column_names(env), fmt, env.clock.today()), nl=False)


@sprint.command(name="edit")
@click.argument("name", metavar="SPRINT")
@click.option("--name", "new_name", metavar="TEXT", help="New name.")
@click.option("--start", metavar="DATE", help="First day.")
@click.option("--end", metavar="DATE", help="Last day.")
@click.option("--goal", metavar="TEXT", help="The sprint goal.")
@click.option("--capacity", metavar="POINTS", help="Points set by hand (none: computed).")
@pass_env
def sprint_edit(
    env: Env,
    name: str,
    new_name: str | None,
    start: str | None,
    end: str | None,
    goal: str | None,
    capacity: str | None,
) -> None:
    """Change a sprint's name, dates, goal or capacity."""
    from tpm_tui.services.sprints import edit_sprint

    changes: dict[str, Any] = {}
    if new_name is not None:
        changes["name"] = new_name
    if start is not None:
        changes["start_date"] = _day(env, start, "--start")
    if end is not None:
        changes["end_date"] = _day(env, end, "--end")
    if goal is not None:
        changes["goal"] = goal
    if capacity is not None:
        changes["capacity"] = _capacity(capacity)
    if not changes:
        raise InvalidInput("nothing to change: give at least one option (`tpm sprint edit -h`)")
    edited = edit_sprint(env.db, _sprint(env, name).id, **changes)
    click.echo(f"saved {edited.name}: {edited.dates()}")


def _capacity(text: str) -> int | None:
    from tpm_tui.services.validate import whole_number

    if text.strip().lower() in ("none", "-", ""):
        return None
    number = whole_number(text.strip())
    if number is None:
        raise InvalidInput(f"--capacity {text[:24]!r}: a number of points, or none")
    return number  # a number past CAPACITY_MAX is refused by the service


@sprint.command(name="add")
@click.argument("name", metavar="SPRINT")
@click.argument("ids", nargs=-1, required=True, type=ITEM_ID, metavar="ID...")
@pass_env
def sprint_add(env: Env, name: str, ids: tuple[int, ...]) -> None:
    """Put items into a sprint."""
    from tpm_tui.services.sprints import add_items

    target = _sprint(env, name)
    for item in add_items(env.db, env.clock, target.id, ids):
        click.echo(f"#{item.id} {item.title!r} is in {target.name}")


@sprint.command(name="remove")
@click.argument("name", metavar="SPRINT")
@click.argument("ids", nargs=-1, required=True, type=ITEM_ID, metavar="ID...")
@pass_env
def sprint_remove(env: Env, name: str, ids: tuple[int, ...]) -> None:
    """Take items out of a sprint (back to the backlog)."""
    from tpm_tui.services.sprints import remove_items

    target = _sprint(env, name)
    for item in remove_items(env.db, env.clock, target.id, ids):
        click.echo(f"#{item.id} {item.title!r} is back in the backlog")


@sprint.command(name="close")
@click.argument("name", metavar="[SPRINT]", required=False)
@click.option(
    "--carry-to",
    "carry_to",
    metavar="SPRINT|backlog",
    help="Where unfinished items go (asked per item on a terminal if not given).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "md"]), default="table", show_default=True
)
@pass_env
def sprint_close(env: Env, name: str | None, carry_to: str | None, fmt: str) -> None:
    """Close a sprint: record its velocity (done points), move unfinished items, print
    the review. A sprint closes once."""
    from tpm_tui.cli import _can_ask
    from tpm_tui.services.planning import list_sprints, resolve_sprint
    from tpm_tui.services.sprints import close_sprint, next_sprint, render_review, sprint_report

    chosen = _sprint(env, name)
    target: int | None = None
    per_item: dict[int, int | None] = {}
    if carry_to is not None and carry_to.strip().lower() != "backlog":
        target = resolve_sprint(env.db, env.clock, carry_to).id
    elif carry_to is None and not chosen.closed:
        unfinished = [
            i for i in sprint_report(env.db, env.clock, chosen.id).items if i.done_at is None
        ]
        following = next_sprint(list_sprints(env.db), chosen)
        if unfinished and not _can_ask():
            raise InvalidInput(
                f"{len(unfinished)} item(s) are unfinished: say --carry-to "
                f"{following.name if following else 'NEXT_SPRINT'!r} or --carry-to backlog"
            )
        for item in unfinished:
            choices = (["next"] if following else []) + ["backlog"]
            answer = click.prompt(
                f"#{item.id} {item.title} → "
                + (f"next ({following.name}) or " if following else "")
                + "backlog?",
                type=click.Choice(choices),
                default=choices[0],
            )
            per_item[item.id] = following.id if answer == "next" and following else None
    review = close_sprint(env.db, env.clock, chosen.id, target, per_item)
    click.echo(render_review(review, fmt), nl=False)
    if fmt != "md":
        click.echo(
            f"retro note: `tpm sprint retro {review.report.sprint.name!r}`, or r on `tpm sprint`"
        )


@sprint.command(name="capacity")
@click.argument("name", metavar="[SPRINT]", required=False)
@pass_env
def sprint_capacity(env: Env, name: str | None) -> None:
    """What the team can take on in a sprint, and how the number was made."""
    from tpm_tui.services.sprints import sprint_report

    report = sprint_report(env.db, env.clock, _sprint(env, name).id)
    cap = report.capacity
    click.echo(f"{report.sprint.name}: capacity {'-' if cap.points is None else cap.points} pts")
    for line in cap.explain():
        click.echo(f"  {line}")


@sprint.command(name="retro")
@click.argument("name", metavar="[SPRINT]", required=False)
@pass_env
def sprint_retro(env: Env, name: str | None) -> None:
    """Print a sprint's retro note (Markdown; the template until one is written — r on
    the sprint screen edits it)."""
    from tpm_tui.services.sprints import retro_text, sprint_report

    click.echo(retro_text(sprint_report(env.db, env.clock, _sprint(env, name).id)), nl=False)


# ---------------------------------------------------------------- the team


@cli.group()
def team() -> None:
    """The team: people, their focus, their days away (for sprint capacity)."""


@team.command(name="add")
@click.argument("name")
@click.option(
    "--focus",
    default=None,
    help="Share of a day on sprint work (a new person: 0.7 unless given).",
)
@pass_env
def team_add(env: Env, name: str, focus: str | None) -> None:
    """Add a person to the team (or change their focus with --focus)."""
    from tpm_tui.services.team import (
        DEFAULT_FOCUS,
        add_member,
        list_members,
        parse_focus,
        set_focus,
    )

    percent = parse_focus(focus) if focus is not None else None
    known = next((m for m in list_members(env.db) if m.name.lower() == name.strip().lower()), None)
    if known is not None and percent is None:
        # Adding someone again changes nothing: their focus is kept, not reset.
        click.echo(f"{known.name} is already in the team (focus {known.focus_percent}%)")
        return
    if known is not None and percent is not None:
        member = set_focus(env.db, name, percent)
        click.echo(f"{member.name}: focus {member.focus_percent}%")
        return
    member = add_member(env.db, name, DEFAULT_FOCUS if percent is None else percent)
    click.echo(f"added {member.name} (focus {member.focus_percent}%)")


@team.command(name="away")
@click.argument("name")
@click.argument("days", metavar="DATE[..DATE]")
@click.option("--remove", is_flag=True, help="Take these days out of their days away.")
@pass_env
def team_away(env: Env, name: str, days: str, remove: bool) -> None:
    """Record days a person is away (holidays, training): DATE or DATE..DATE; with
    --remove, they are not away on those days after all.

    \b
    tpm team away ana 2026-12-21..2026-12-24
    tpm team away ana 2026-12-24 --remove
    """
    from tpm_tui.services.team import add_away, parse_days, remove_away
    from tpm_tui.text import counted

    start, end = parse_days(days, env.clock.today())
    days_named = str(start) if start == end else f"{start} – {end}"
    if remove:
        member, back = remove_away(env.db, name, start, end)
        click.echo(f"{member.name} not away {days_named} ({counted(back, 'working day')} back)")
        return
    member, working = add_away(env.db, name, start, end)
    click.echo(f"{member.name} away {days_named} ({counted(working, 'working day')})")


@team.command(name="remove")
@click.argument("name")
@pass_env
def team_remove(env: Env, name: str) -> None:
    """Take a person off the team (their days away go with them; items they own keep
    their owner)."""
    from tpm_tui.services.team import remove_member
    from tpm_tui.text import counted

    member, stretches = remove_member(env.db, name)
    away = f" and {counted(stretches, 'stretch', 'stretches')} of days away" if stretches else ""
    click.echo(f"removed {member.name}{away} from the team")


@team.command(name="list")
@pass_env
def team_list(env: Env) -> None:
    """The team: each person's focus and days away."""
    from tpm_tui.services.team import away_of, list_members

    members = list_members(env.db)
    if not members:
        click.echo("no team yet: `tpm team add NAME --focus 0.7`")
    away = away_of(env.db) if members else {}
    for member in members:
        stretches = [
            str(first) if first == last else f"{first} – {last}"
            for first, last in away.get(member.id, [])
        ]
        days = f"  away {', '.join(stretches)}" if stretches else ""
        click.echo(f"{member.name:<20} focus {member.focus_percent}%{days}")


# ---------------------------------------------------------------- the stand-up


@cli.command()
@click.option("--date", "day", metavar="DATE", help="The day (today by default).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "md"]), default="text", show_default=True
)
@pass_env
def standup(env: Env, day: str | None, fmt: str) -> None:
    """Per owner: done since the last working day, in progress, blocked, stale."""
    from tpm_tui.services.standup import render
    from tpm_tui.services.standup import standup as read

    click.echo(render(read(env.db, env.clock, _parse_day(day, env.clock)), fmt), nl=False)


# ---------------------------------------------------------------- board columns


@cli.group()
def column() -> None:
    """The board's columns: rename, add or remove one (WIP limits: `tpm config wip.review 4`)."""


@column.command(name="list")
@pass_env
def column_list(env: Env) -> None:
    """The columns in order, with keys and WIP limits."""
    from tpm_tui.services.backlog import list_columns

    for c in list_columns(env.db):
        wip = f"WIP {c.wip_limit}" if c.wip_limit is not None else ""
        click.echo(f"{c.key:<16} {c.name:<20} {wip:<8}{' done' if c.is_done else ''}")


@column.command(name="rename")
@click.argument("key", metavar="COLUMN")
@click.argument("name")
@pass_env
def column_rename(env: Env, key: str, name: str) -> None:
    """Give a column another name (its key stays: `tpm move 12 review` still works)."""
    from tpm_tui.services.columns import rename

    changed = rename(env.db, key, name)
    click.echo(f"{changed.key} is now {changed.name!r}")


@column.command(name="add")
@click.argument("name")
@click.option("--after", metavar="COLUMN", help="The column it follows (default: before Done).")
@click.option("--wip", metavar="N", help="Its WIP limit.")
@click.option("--done", is_flag=True, help="Items in it count as done.")
@pass_env
def column_add(env: Env, name: str, after: str | None, wip: str | None, done: bool) -> None:
    """Add a column to the board."""
    from tpm_tui.services.columns import add, parse_wip

    added = add(env.db, name, after=after, wip_limit=parse_wip(wip or "none"), done=done)
    click.echo(f"added column {added.name!r} (key {added.key}) at place {added.position}")


@column.command(name="remove")
@click.argument("key", metavar="COLUMN")
@pass_env
def column_remove(env: Env, key: str) -> None:
    """Remove an empty column."""
    from tpm_tui.services.columns import remove

    removed = remove(env.db, key)
    click.echo(f"removed column {removed.name!r}")


def set_wip(env: Env, key: str, value: str | None) -> None:
    """`tpm config wip.<column> [N|none]`: show or set a column's WIP limit."""
    from tpm_tui.services.backlog import list_columns
    from tpm_tui.services.columns import parse_wip
    from tpm_tui.services.columns import set_wip as store

    name = key.removeprefix("wip.")
    if value is None:
        found = [c for c in list_columns(env.db) if c.key == name or c.name.lower() == name]
        if not found:
            raise InvalidInput(f"no column {name!r}: `tpm column list` shows them")
        click.echo("none" if found[0].wip_limit is None else str(found[0].wip_limit))
        return
    changed = store(env.db, name, parse_wip(value))
    click.echo(f"wip.{changed.key} = {changed.wip_limit if changed.wip_limit else 'none'}")


def wip_lines(env: Env, width: int = 10) -> list[str]:
    """The WIP limits as `tpm config` lists them (values `width` wide, as the settings)."""
    from tpm_tui.services.backlog import list_columns

    return [
        # in the settings' columns; a longer key keeps one space after it
        f"{'wip.' + c.key + ' ':<14}"
        f"{c.wip_limit if c.wip_limit is not None else 'none':<{width}}"
        f"WIP limit of {c.name}"
        for c in list_columns(env.db)
    ]
