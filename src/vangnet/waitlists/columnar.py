"""The columnar path of the waiting-list check: a national month (~3 M rows) is read and checked
as whole columns with Polars. Rows a vectorised check flags are checked again one at a time by
`importers._check_one`, so every message is the one `importers.check_rows` gives, with its line
number; a test compares both paths. Split from `importers` so each module holds one reading path.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa

from .importers import (
    CLEAN_SCHEMA,
    COLUMNS,
    CONTENT_HASH_VERSION,
    DATE_COLUMNS,
    EARLIEST_DATE,
    HASHED_IDS,
    LABELS,
    NO_DATE,
    CheckResult,
    FileProblem,
    LineError,
    Vocabulary,
    _check_header,
    _check_one,
    _csv_prelude,
    _duplicate_error,
    period_end,
    person_key,
)
from .pseudonymise import PSEUDONYM_PATTERN

# The columnar path: a national month (~3 M rows) is read and checked as whole columns with
# Polars. Rows a vectorised check flags are checked again one at a time by `_check_one`, so every
# message is the one `check_rows` gives, with its line number; a test compares both paths.


def read_frame(data: bytes, *, name: str) -> tuple[str, pl.DataFrame] | None:
    """(unit, every column as stripped text plus `line`), or None for a file whose layout the
    columnar reader does not take (quotes, ragged or blank lines, odd Parquet types): those go
    through `read_rows`, which reports them line by line. File-level problems raise FileProblem
    exactly as `read_rows` does."""
    if not data or not data.strip():
        raise FileProblem("Het bestand is leeg.")
    if name.lower().endswith(".parquet") or data[:4] == b"PAR1":
        return _parquet_frame(data)
    _, header = _csv_prelude(data)
    newline = data.find(b"\n")
    body = data[newline + 1 :] if newline >= 0 else b""
    if b'"' in body or body.count(b"\r") != body.count(b"\r\n"):
        return None
    lines = body.count(b"\n") + (1 if body and not body.endswith(b"\n") else 0)
    if body.count(b",") != lines * (len(header) - 1):
        return None  # a line with too few or too many fields, or a blank line
    if lines == 0:
        frame = pl.DataFrame(schema={h: pl.String for h in header})
    else:
        try:
            frame = pl.read_csv(
                io.BytesIO(body),
                has_header=False,
                new_columns=header,
                schema={h: pl.String for h in header},
                quote_char=None,
            )
        except pl.exceptions.PolarsError:
            return None
        if frame.height != lines:
            return None
    # Values are stripped as the csv path strips them; most files have no blank to strip.
    strip = b" " in body or b"\t" in body
    frame = frame.with_columns(
        [
            pl.col(h).fill_null("").str.strip_chars() if strip else pl.col(h).fill_null("")
            for h in header
        ]
    ).with_columns(line=pl.int_range(2, frame.height + 2, dtype=pl.Int64))
    # The csv module skips lines without any value; so does the row-by-row reader. Only a line
    # whose first value is empty can be one: most files have none, and skip the filter.
    if not (frame[header[0]] == "").any():
        return "regel", frame
    return "regel", frame.filter(pl.any_horizontal([pl.col(h) != "" for h in header]))


def _parquet_frame(data: bytes) -> tuple[str, pl.DataFrame] | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError):
        raise FileProblem("Het Parquet-bestand is beschadigd of onleesbaar.") from None
    header = list(table.column_names)
    _check_header(header)
    if table.num_rows == 0:
        raise FileProblem("Het bestand bevat geen gegevensregels.")
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    columns = []
    for h in header:
        dtype = frame.schema[h]
        col = pl.col(h)
        if dtype == pl.Boolean:
            col = col.cast(pl.Int8)
        elif not (dtype == pl.String or dtype == pl.Date or dtype.is_integer()):
            return None  # floats, timestamps, ...: converted value by value as before
        columns.append(col.cast(pl.String).fill_null("").str.strip_chars().alias(h))
    frame = frame.select(columns).with_columns(
        line=pl.int_range(1, frame.height + 1, dtype=pl.Int64)
    )
    return "rij", frame


def _lookup(column: str, mapping: Mapping[str, int]) -> pl.Expr:
    return pl.col(column).replace_strict(dict(mapping), default=None, return_dtype=pl.Int64)


def check_frame(
    frame: pl.DataFrame,
    vocabulary: Vocabulary,
    *,
    period: date | None = None,
    allowed_provider_ids: set[int] | None = None,
    unit: str = "regel",
) -> CheckResult:
    """`check_rows` over whole columns: the same errors in the same order, the clean rows as a
    frame (CLEAN_SCHEMA)."""
    result = CheckResult(unit=unit)
    iso = r"^\d{4}-\d{2}-\d{2}$"
    parsed = {c: pl.col(c).str.to_date("%Y-%m-%d", strict=False) for c in DATE_COLUMNS}
    date_ok = {
        c: (pl.col(c) == "")
        | (pl.col(c).str.contains(iso) & parsed[c].is_not_null() & (parsed[c] >= EARLIEST_DATE))
        for c in DATE_COLUMNS
    }
    df = frame.with_columns(
        provider_id=_lookup("provider_agb", vocabulary.providers),
        municipality_id=_lookup("municipality_code", vocabulary.municipalities),
        diagnosis_group_id=_lookup("diagnosis_group", vocabulary.diagnosis_groups),
        reg_ok=date_ok["registration_date"] & (pl.col("registration_date") != ""),
        **{f"{c}__d": parsed[c] for c in DATE_COLUMNS},
        **{f"{c}__ok": date_ok[c] for c in DATE_COLUMNS},
    )
    reg, intake = pl.col("registration_date__d"), pl.col("intake_date__d")
    start, exit_ = pl.col("treatment_start_date__d"), pl.col("exit_date__d")
    pseudonym = pl.col("person_pseudonym")
    provider_ok = pl.col("provider_id").is_not_null() & pl.col("provider_agb").str.contains(
        r"^\d{8}$"
    )
    if allowed_provider_ids is not None:
        provider_ok = provider_ok & pl.col("provider_id").is_in(list(allowed_provider_ids))
    checks = [
        pseudonym.str.contains(r"^[A-Za-z0-9_.:\-]+$") & (pseudonym.str.len_bytes() <= 100),
        # Only digits and separators: could be a BSN, `_check_one` decides (11-proef).
        ~pseudonym.str.contains(r"^[\d\s.\-]+$"),
        provider_ok,
        pl.col("municipality_id").is_not_null()
        & pl.col("municipality_code").str.contains(r"^GM\d{4}$"),
        pl.col("diagnosis_group_id").is_not_null(),
        pl.col("reg_ok"),
        *(pl.col(f"{c}__ok") for c in DATE_COLUMNS[1:]),
        ~(intake < reg).fill_null(False),
        ~(start < reg).fill_null(False),
        ~(exit_ < reg).fill_null(False),
        ~(start < intake).fill_null(False),
        ~(exit_ < intake).fill_null(False),
        pl.col("preferred_provider").is_in(["0", "1"]),
    ]
    eligible = pl.col("reg_ok") & (pseudonym != "") & (pl.col("diagnosis_group") != "")
    key = ["person_pseudonym", "provider_agb", "diagnosis_group", "registration_date"]
    df = df.with_columns(flagged=~pl.all_horizontal(checks), eligible=eligible)
    first_lines = _repeats(df, key)
    df = df.with_columns(duplicate=pl.col("line").is_in(list(first_lines)))

    # Row by row, only the rows a vectorised check flagged (none in a good file).
    errors: list[tuple[int, int, LineError]] = []
    rejected: set[int] = set()
    flagged = df.filter(pl.col("flagged") | pl.col("duplicate"))
    for values in flagged.select([*COLUMNS, "line", "flagged", "duplicate"]).rows(named=True):
        line = values["line"]
        row_errors: list[LineError] = []
        if values["flagged"]:
            row_errors, _, _ = _check_one(
                line, {c: values[c] for c in COLUMNS}, vocabulary, allowed_provider_ids
            )
        if values["duplicate"]:
            row_errors.append(_duplicate_error(line, first_lines[line], unit))
        if row_errors:
            rejected.add(line)
            errors.extend((line, 0, e) for e in row_errors)

    clean = df.filter(~pl.col("line").is_in(list(rejected))) if rejected else df
    clean = clean.select(
        "line",
        "person_pseudonym",
        "provider_id",
        "municipality_id",
        "diagnosis_group_id",
        *(pl.col(f"{c}__d").alias(c) for c in DATE_COLUMNS),
        (pl.col("preferred_provider") == "1").alias("preferred_provider"),
    )
    if period is None and clean.height:
        latest = clean.select(pl.max_horizontal([pl.col(c).max() for c in DATE_COLUMNS])).item()
        period = latest.replace(day=1)
        result.period_inferred = True
    result.period = period
    if period is not None:
        end = period_end(period)
        late = clean.filter(pl.any_horizontal([pl.col(c) > end for c in DATE_COLUMNS]))
        for values in late.rows(named=True):
            for c in DATE_COLUMNS:
                value = values[c]
                if value is not None and value > end:
                    message = (
                        f"{LABELS[c]} {value.isoformat()} ligt na het einde van de periode "
                        f"{period:%Y-%m}"
                    )
                    errors.append((values["line"], 1, LineError(values["line"], c, message)))
    if clean.height == 0 and not errors:
        raise FileProblem("Het bestand bevat alleen een kopregel en geen gegevensregels.")
    errors.sort(key=lambda e: (e[0], e[1]))  # stable: a row's errors keep their order
    result.errors = [e for _, _, e in errors]
    result.frame = clean.cast(CLEAN_SCHEMA)  # type: ignore[arg-type]
    return result


def _repeats(df: pl.DataFrame, key: list[str]) -> dict[int, int]:
    """Line -> the first line with the same key, for each eligible row that repeats one.

    Candidates come from one 64-bit hash of the key (grouping 3 M rows by four strings takes
    seconds; by one integer, a fraction) and are confirmed on the values themselves, so a hash
    collision never reports a duplicate."""
    hashed = df.filter("eligible").select("line", *key, __key=pl.struct(key).hash())
    candidates = hashed.filter(pl.col("__key").is_duplicated())
    if candidates.height == 0:
        return {}
    repeated = candidates.with_columns(first=pl.col("line").min().over(key)).filter(
        pl.col("line") != pl.col("first")
    )
    return dict(zip(repeated["line"].to_list(), repeated["first"].to_list(), strict=True))


def frame_content_hashes(frame: pl.DataFrame, period: date) -> dict[int, str]:
    """`content_hash` of each provider's rows in `frame` (CLEAN_SCHEMA), computed per column."""
    return by_provider_with_hashes(frame, period)[1]


def by_provider_with_hashes(
    frame: pl.DataFrame, period: date
) -> tuple[pl.DataFrame, dict[int, str]]:
    """`frame` (CLEAN_SCHEMA, `person_key` added when missing) in `content_hash` order: by
    provider, person key, diagnosis group and registration date; and `content_hash` of each
    provider's rows.

    One sort serves both: the hash needs each provider's rows in a canonical order, and COPY
    into the registration table is several times faster in provider order, because its index
    (period, provider) then grows at one end instead of at 1,500 places (ADR 0010). The order is
    by integers (a sort of 3 M pseudonym strings takes seconds), and the hash is fed with
    slices of two contiguous buffers (the integer columns, the pseudonyms' bytes), so no text
    is built per row."""
    if "person_key" not in frame.columns:
        frame = frame.with_columns(person_key=person_keys(frame["person_pseudonym"]))
    if frame.height == 0:
        return frame, {}
    ordered = frame.sort(HASH_ORDER)
    pseudonyms = ordered["person_pseudonym"]
    numbers = ordered.select(
        pseudonyms.str.len_bytes().cast(pl.Int64).alias("length"),
        *(pl.col(c).cast(pl.Int64) for c in HASHED_IDS),
        *(pl.col(c).cast(pl.Int32).cast(pl.Int64).fill_null(NO_DATE) for c in DATE_COLUMNS),
        pl.col("preferred_provider").cast(pl.Int64),
    ).to_numpy(order="c")
    numbers = np.ascontiguousarray(numbers, dtype="<i8")
    text = pa.chunked_array(pseudonyms.to_arrow()).cast(pa.large_string()).combine_chunks()
    _, offsets_buffer, data_buffer = text.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[
        text.offset : text.offset + len(text) + 1
    ]
    data = memoryview(data_buffer)
    providers = numbers[:, 1]
    firsts = np.flatnonzero(np.r_[True, providers[1:] != providers[:-1]])
    stops = np.r_[firsts[1:], len(providers)]
    out = {}
    for first, stop in zip(firsts.tolist(), stops.tolist(), strict=True):
        digest = hashlib.sha256(CONTENT_HASH_VERSION + period.isoformat().encode())
        digest.update(numbers[first:stop].tobytes())
        digest.update(data[int(offsets[first]) : int(offsets[stop])])
        out[int(providers[first])] = digest.hexdigest()
    return ordered, out


# `content_hash` order. Within a provider (pseudonym, group, registration date) is unique (a
# repeat is refused as a duplicate), so rows tie only when two pseudonyms share a person key
# (~10⁻⁶ per national month); `line` then decides, and the worst case is an unchanged file
# reported as replaced.
HASH_ORDER = ["provider_id", "person_key", "diagnosis_group_id", "registration_date", "line"]


def person_keys(pseudonyms: pl.Series) -> pl.Series:
    """`person_key` of every value: the production form by column, the rest one by one."""
    keyed = pseudonyms.str.contains(PSEUDONYM_PATTERN)
    fast = pseudonyms.str.slice(-15).str.to_integer(base=16, strict=False).cast(pl.Int64)
    out = pl.select(pl.when(keyed).then(fast).otherwise(None).alias("person_key")).to_series()
    others = pseudonyms.filter(~keyed)
    if others.len():
        unique = others.unique()
        lookup = dict(zip(unique.to_list(), [person_key(p) for p in unique.to_list()], strict=True))
        slow = pseudonyms.replace_strict(lookup, default=None, return_dtype=pl.Int64)
        out = pl.select(pl.coalesce(out, slow).alias("person_key")).to_series()
    return out
