"""Export files as they really are: encodings, delimiters, repeated columns, quoted
newlines, and the date formats Jira and spreadsheets write."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tpm_tui.errors import InvalidInput
from tpm_tui.importers.messy import DateReader, decode, read_csv

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xef\xbb\xbfKey,Summ\xc3\xa4ry", "Key,Summäry"),
        ("Key,Summäry".encode("utf-16"), "Key,Summäry"),
        ("Key,Summäry – €".encode("cp1252"), "Key,Summäry – €"),
        (b"Key,\x81", "Key,\x81"),  # a byte Windows-1252 leaves undefined: Latin-1
    ],
)
def test_decode_reads_every_encoding_a_spreadsheet_saves(data: bytes, text: str) -> None:
    assert decode(data, "x.csv") == text


def test_repeated_columns_crlf_quoted_newlines_and_line_numbers() -> None:
    text = (
        "Issue key,Sprint,Sprint,Labels,Labels,Description\r\n"
        'A-1,S1,S2,x,,"two\r\nlines"\r\n'
        "\r\n"
        "A-2,,S3,,y,plain\r\n"
    )
    table = read_csv(text, "x.csv")
    first, second = table.rows
    assert (first.line, second.line) == (2, 5)
    assert first.all("Sprint") == ["S1", "S2"] and first.last("Sprint") == "S2"
    assert second.all("labels") == ["y"]  # any case, any spacing
    assert first.first("Description") == "two\r\nlines"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_files(delimiter: str) -> None:
    table = read_csv(f"Issue key{delimiter}Summary\nA-1{delimiter}x, y\n", "x.csv")
    assert table.rows[0].first("Summary") == "x, y"


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(InvalidInput, match="the file is empty"):
        read_csv("\r\n\r\n", "x.csv")


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("27/Nov/26 4:45 PM", datetime(2026, 11, 27, 16, 45, tzinfo=BERLIN)),
        ("27/Nov/26 12:05 AM", datetime(2026, 11, 27, 0, 5, tzinfo=BERLIN)),
        ("2026-11-27", datetime(2026, 11, 27, tzinfo=BERLIN)),
        ("2026-11-27T10:15:00.000+0100", datetime(2026, 11, 27, 9, 15, tzinfo=UTC)),
        ("2026-11-27T10:15:00.000Z", datetime(2026, 11, 27, 10, 15, tzinfo=UTC)),
        ("27.11.2026 10:15", datetime(2026, 11, 27, 10, 15, tzinfo=BERLIN)),
        ("27. November 2026 10:15", datetime(2026, 11, 27, 10, 15, tzinfo=BERLIN)),
        ("27/nov./2026", datetime(2026, 11, 27, tzinfo=BERLIN)),
        ("03/Mär/26 9:00", datetime(2026, 3, 3, 9, tzinfo=BERLIN)),
        ("Nov 27, 2026 10:15 AM", datetime(2026, 11, 27, 10, 15, tzinfo=BERLIN)),
        (
            "Fri Nov 27 2026 10:15:00 GMT+0100 (Central European Standard Time)",
            datetime(2026, 11, 27, 10, 15, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("03/04/2026", datetime(2026, 4, 3, tzinfo=BERLIN)),  # day first by default
    ],
)
def test_dates_in_the_formats_exports_use(text: str, moment: datetime) -> None:
    assert DateReader(BERLIN).read(text) == moment


def test_numeric_dates_are_month_first_when_the_file_shows_it() -> None:
    reader = DateReader(BERLIN)
    reader.learn(["03/04/2026", "11/27/2026"])
    assert reader.day("03/04/2026") == date(2026, 3, 4)
    both = DateReader(BERLIN)
    both.learn(["27/11/2026", "11/27/2026"])  # contradictory: day first stays
    assert both.day("03/04/2026") == date(2026, 4, 3)


@pytest.mark.parametrize("text", ["31/02/2026", "32/Foo/26", "13:00", "yesterday", "2026-13-01"])
def test_unreadable_dates_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        DateReader(BERLIN).read(text)
    assert DateReader(BERLIN).read("  ") is None
