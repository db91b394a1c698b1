"""Reading the files other tools export, as they really are: any of the encodings a
spreadsheet saves (UTF-8 with or without BOM, UTF-16, Windows-1252), CSV with repeated
columns, quoted newlines and CRLF line ends, and dates in the formats and languages
Jira and others write them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

from tpm_tui.errors import InvalidInput

# A description can be long; csv's default limit (128 KiB a field) would refuse it.
csv.field_size_limit(16 * 1024 * 1024)


def decode(data: bytes, name: str) -> str:
    """The text of an export: UTF-8 (a BOM is dropped), UTF-16 with its BOM, or else
    Windows-1252, the encoding Excel on Windows saves CSV in."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InvalidInput(f"{name}: cannot read it (broken UTF-16)") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252 leaves five bytes undefined; Latin-1 reads every byte.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


@dataclass(frozen=True, eq=False)
class CsvRow:
    """One record of a CSV file: the line it starts on and its cells by column."""

    line: int
    cells: Sequence[str]
    table: CsvTable = field(repr=False)

    def all(self, *names: str) -> list[str]:
        """The non-empty values of every column with one of these names (Jira repeats
        `Sprint` and `Labels`), in file order."""
        out = []
        for index in self.table.indexes(*names):
            if index < len(self.cells):
                value = self.cells[index].strip()
                if value:
                    out.append(value)
        return out

    def first(self, *names: str) -> str:
        """The first non-empty value of these columns (in the order named), or ''."""
        cells, count = self.cells, len(self.cells)
        for name in names:  # called for every cell of every row: no lists built
            for index in self.table.indexes(name):
                if index < count:
                    value = cells[index].strip()
                    if value:
                        return value
        return ""

    def last(self, *names: str) -> str:
        """The last non-empty value of these columns (the latest sprint of several)."""
        found = self.all(*names)
        return found[-1] if found else ""


@dataclass(eq=False)
class CsvTable:
    """A CSV file's header and its records."""

    header: list[str]
    rows: list[CsvRow]

    def __post_init__(self) -> None:
        self._found: dict[tuple[str, ...], list[int]] = {}  # every row asks the same
        self._index: dict[str, list[int]] = {}
        for i, name in enumerate(self.header):
            self._index.setdefault(_column_key(name), []).append(i)

    def has(self, *names: str) -> bool:
        """Whether any of these columns is there."""
        return bool(self.indexes(*names))

    def indexes(self, *names: str) -> list[int]:
        """Positions of every column with one of these names, in file order."""
        cached = self._found.get(names)
        if cached is not None:
            return cached
        found: list[int] = []
        for name in names:
            found += self._index.get(_column_key(name), [])
        self._found[names] = sorted(found)
        return self._found[names]


def _column_key(name: str) -> str:
    return " ".join(name.strip().lower().split())


def _delimiter(first_line: str) -> str:
    """Comma, unless the header line is clearly split by semicolons (Excel in many
    European locales) or tabs."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def read_csv(text: str, name: str) -> CsvTable:
    """A CSV export as a table; a file that is not CSV at all is refused in one line."""
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first), strict=False)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        start = 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append(cells)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise InvalidInput(f"{name}: not a readable CSV file (line {start}: {error})") from None
    if not rows:
        raise InvalidInput(f"{name}: the file is empty: export the issues with their header")
    table = CsvTable([cell.strip() for cell in rows[0]], [])
    table.rows = [
        CsvRow(line, cells, table) for line, cells in zip(lines[1:], rows[1:], strict=True)
    ]
    return table


# ---------------------------------------------------------------- dates

# Month names as Jira writes them in its date formats, in the languages it is most
# often set to: English, German, French, Spanish, Portuguese, Italian, Dutch.
_MONTHS = {
    **dict.fromkeys(["jan", "januar", "janv", "janvier", "ene", "enero", "gen", "jän"], 1),
    **dict.fromkeys(["feb", "februar", "févr", "fevr", "fév", "fev", "fevereiro"], 2),
    **dict.fromkeys(["mar", "mär", "märz", "mars", "marzo", "março", "mrt", "maart"], 3),
    **dict.fromkeys(["apr", "april", "avr", "avril", "abr", "abril", "aprile"], 4),
    **dict.fromkeys(["may", "mai", "mayo", "mag", "maggio", "mei", "maio"], 5),
    **dict.fromkeys(["jun", "juni", "juin", "junio", "giu", "giugno", "junho"], 6),
    **dict.fromkeys(["jul", "juli", "juil", "juillet", "julio", "lug", "luglio", "julho"], 7),
    **dict.fromkeys(["aug", "august", "août", "aout", "ago", "agosto", "augustus"], 8),
    **dict.fromkeys(["sep", "sept", "september", "septembre", "set", "settembre"], 9),
    **dict.fromkeys(["oct", "okt", "oktober", "octobre", "octubre", "ott", "out"], 10),
    **dict.fromkeys(["nov", "november", "novembre", "noviembre", "novembro"], 11),
    **dict.fromkeys(["dec", "dez", "dezember", "déc", "decembre", "décembre", "dic"], 12),
}
_TIME = r"(?:[ T,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?"
_ZONE = r"\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?\s*$"
# 2026-11-27, 2026-11-27T10:15:00.000+0100, 2026/11/27 10:15
_YMD = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + _ZONE)
# 27/Nov/26 10:15 AM (Jira's default), 27-nov.-2026, 27. November 2026 10:15
_DMONY = re.compile(r"^\s*(\d{1,2})[-/. ]+([^\W\d_]{3,12})\.?[-/. ]+(\d{2}|\d{4})" + _TIME + _ZONE)
# Nov 27, 2026 10:15 AM; Tue Nov 03 2026 10:15:00 GMT+0100 (a browser's date)
_MONDY = re.compile(
    r"^\s*(?:[^\W\d_]{2,9},?\s+)?([^\W\d_]{3,12})\.?\s+(\d{1,2}),?\s+(\d{4})"
    + r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
    + r"\s*(?:(?:GMT|UTC)?([+-]\d{2}:?\d{2})?)(?:\s*\(.*\))?\s*$"
)
# 27.11.2026 10:15 (German), 27/11/2026 or 11/27/2026 (order decided per file)
_NUMERIC = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})" + _TIME + _ZONE)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _clock(hour: str | None, minute: str | None, second: str | None, half: str | None) -> time:
    if hour is None:
        return time()
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    if half:
        pm = half.lower().startswith("p")
        if not 1 <= h <= 12:
            raise ValueError("hour")
        h = (h % 12) + (12 if pm else 0)
    return time(h, m, s)


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    from datetime import UTC, timedelta, timezone

    if text in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


class DateReader:
    """Reads the dates of one file. A numeric date such as 03/04/2026 is read day first
    unless the file shows otherwise (a value such as 11/27/2026 anywhere in it): call
    `learn` with every value first. Times without a zone are in `zone`."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.month_first = False
        self._seen: dict[str, datetime] = {}  # exports repeat the same dates a lot

    def learn(self, values: Iterator[str] | Sequence[str]) -> None:
        """Decide the order of numeric day/month dates from the file's own values."""
        day_first = month_first = False
        for value in values:
            m = _NUMERIC.match(value)
            if m and m[2] == "/":
                day_first |= int(m[1]) > 12
                month_first |= int(m[3]) > 12
        self.month_first = month_first and not day_first
        self._seen.clear()

    def read(self, text: str) -> datetime | None:
        """The moment a cell names (None for an empty cell); ValueError if unreadable."""
        text = text.strip()
        if not text:
            return None
        moment = self._seen.get(text)
        if moment is None:
            moment = self._parse(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.zone)
            self._seen[text] = moment
        return moment

    def day(self, text: str) -> date | None:
        """The date a cell names, ignoring any time (None for an empty cell)."""
        text = text.strip()
        return self._parse(text).date() if text else None

    def _parse(self, text: str) -> datetime:
        if m := _YMD.match(text):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            clock, zone = _clock(m[4], m[5], m[6], m[7]), _offset(m[8])
        elif m := _DMONY.match(text):
            month = _MONTHS.get(m[2].lower().rstrip("."))
            if month is None:
                raise ValueError(text)
            day = date(_year(m[3]), month, int(m[1]))
            clock, zone = _clock(m[4], m[5], m[6], m[7]), _offset(m[8])
        elif m := _MONDY.match(text):
            month = _MONTHS.get(m[1].lower().rstrip("."))
            if month is None:
                raise ValueError(text)
            day = date(int(m[3]), month, int(m[2]))
            clock, zone = _clock(m[4], m[5], m[6], m[7]), _offset(m[8])
        elif m := _NUMERIC.match(text):
            first, second = int(m[1]), int(m[3])
            if m[2] == "/" and self.month_first:
                first, second = second, first
            day = date(_year(m[4]), second, first)
            clock, zone = _clock(m[5], m[6], m[7], m[8]), _offset(m[9])
        else:
            raise ValueError(text)
        moment = datetime.combine(day, clock)
        return moment.replace(tzinfo=zone) if zone is not None else moment
