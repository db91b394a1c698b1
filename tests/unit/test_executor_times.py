"""The stdlib executor reads stored times as SQLAlchemy's UTC type does: the moment
written, in UTC (the same tzinfo object), whatever the text's precision."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from tpm_tui.sql.executor import _bind_datetime, _result_datetime

moments = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)


@given(moments)
def test_a_time_reads_back_as_written(moment: datetime) -> None:
    read = _result_datetime(_bind_datetime(moment))
    assert read == moment
    assert read is not None and read.tzinfo is UTC


@given(moments, st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d"]))
def test_other_texts_read_as_before(moment: datetime, form: str) -> None:
    text = moment.strftime(form)
    assert _result_datetime(text) == datetime.fromisoformat(text).replace(tzinfo=UTC)
    with_offset = text + ("+02:00" if "%H" in form else "")
    assert _result_datetime(with_offset) == datetime.fromisoformat(with_offset).replace(tzinfo=UTC)
