"""Read a landing file into text columns, by header name, with row numbers.

Real exports are messy, so reading repairs what can be repaired without guessing at values and
says what it did (``notes``), and sets aside rows it cannot split into the header's fields
(``malformed``), instead of failing the whole file:

- encoding: UTF-8 (a byte-order mark is removed), UTF-16 with a byte-order mark, otherwise
  Windows-1252 (what Excel writes on Windows);
- NUL bytes are removed;
- the delimiter is the one of ``,`` ``;`` tab ``|`` that the header line uses most;
- header names are trimmed; columns are matched by name later, so their order does not matter;
- a row with more or fewer fields than the header (a truncated last line, a stray delimiter)
  is kept aside whole with its row number.

Clean files take the fast path (polars reads the file directly); a file with a structural
problem is re-read with Python's csv module, which can say exactly which rows are wrong.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_CHUNK = 1 << 24


class UnreadableFile(ValueError):
    """A file that cannot be parsed as CSV at all."""


@dataclass
class FileText:
    frame: pl.DataFrame  # one text column per header name (empty -> null) + _row_number
    malformed: pl.DataFrame  # _row_number, _reason, _raw_record: rows not split into the header
    notes: list[str] = field(default_factory=list)  # repairs made to the file as a whole
    delimiter: str = ","

    @property
    def rows_read(self) -> int:
        return self.frame.height + self.malformed.height


def _scan(path: Path) -> tuple[str | None, bool, bytes]:
    """(encoding if not plain UTF-8, has NUL bytes, first bytes) without loading the file."""
    head = b""
    has_nul = False
    encoding = None
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        first = True
        while chunk := f.read(_CHUNK):
            if first:
                head, first = chunk[:65536], False
                if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    return "utf-16", b"\x00" in chunk, head
                if chunk.startswith(codecs.BOM_UTF8):
                    encoding = "utf-8-sig"
            has_nul = has_nul or b"\x00" in chunk
            if encoding != "cp1252":
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    encoding = "cp1252"
        if encoding != "cp1252":
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                encoding = "cp1252"
    return encoding, has_nul, head


def sniff_delimiter(header_line: str) -> str:
    """The candidate delimiter that occurs most often outside quotes in the header line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def decode_bytes(data: bytes, encoding: str | None) -> str:
    if encoding == "utf-16":
        return data.decode("utf-16")
    if encoding == "cp1252":
        return data.decode("cp1252", errors="replace")
    return data.decode("utf-8-sig")


def _clean_names(names: list[str]) -> list[str]:
    return [n.replace("\ufeff", "").strip() for n in names]


def _duplicate_names(names: list[str]) -> list[str]:
    seen, dups = set(), []
    for n in names:
        if n in seen and n not in dups:
            dups.append(n)
        seen.add(n)
    return dups


def _empty_malformed() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"_row_number": pl.Int64, "_reason": pl.String, "_raw_record": pl.String}
    )


def malformed_rejects(malformed: pl.DataFrame) -> pl.DataFrame:
    """Rows not split into the header's fields, as rejected rows: rule ``field_count``."""
    return malformed.select(
        "_row_number",
        pl.lit("field_count").alias("_rule"),
        ("(row): field_count: " + pl.col("_reason")).alias("_reason"),
        "_raw_record",
    )


def _every_line_fits(source: Path | bytes, delimiter: str, width: int) -> bool:
    """True when every data line has as many fields as the header (quoted delimiters aside).

    polars fills a short row with nulls without saying so, so the field count is checked on
    the raw lines. A quoted field spanning lines (an odd number of quotes on a line) sends the
    file to the exact reader as well."""
    try:
        lines = pl.read_csv(
            source,
            has_header=False,
            separator="\x1f",
            quote_char=None,
            schema={"line": pl.String},
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:  # the unit separator itself occurs in the data
        return False
    line = pl.col("line").str.strip_chars_end("\r")
    fields = (
        line.str.replace_all(r'"(?:[^"]|"")*"', "").str.count_matches(delimiter, literal=True) + 1
    )
    bad = (
        lines.slice(1)
        .filter(line.str.len_bytes() > 0)
        .select(((line.str.count_matches('"', literal=True) % 2 == 1) | (fields != width)).any())
    )
    return not bad.item()


def _fast(source: Path | bytes, delimiter: str) -> pl.DataFrame | None:
    """polars' reader; ``None`` when the file has rows that do not match the header."""
    try:
        df = pl.read_csv(source, separator=delimiter, infer_schema=False, raise_if_empty=False)
    except pl.exceptions.PolarsError:
        return None
    if df.width and not _every_line_fits(source, delimiter, df.width):
        return None
    return df


def _slow(
    text: str, delimiter: str, path: Path, header_rows: int = 1
) -> tuple[list[str], dict, pl.DataFrame]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        if header_rows == 2:  # SurveyMonkey: question row, then answer-option row
            from dagster_project.ingest.formats import combine_header_rows

            header = combine_header_rows(_clean_names(header), _clean_names(next(reader, [])))
    except StopIteration:
        return [], {}, _empty_malformed()
    except csv.Error as exc:
        raise UnreadableFile(f"{path.name}: cannot read the header: {exc}") from exc
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []
    bad: list[tuple[int, str, str]] = []
    n = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field larger than the csv module allows
            n += 1
            bad.append((n, f"row cannot be split into fields: {exc}", ""))
            continue
        if not record:
            continue  # a blank line is not a row
        n += 1
        if len(record) != width:
            reason = f"row has {len(record)} fields, the header has {width}" + (
                " (a truncated last line?)" if len(record) < width else ""
            )
            bad.append((n, reason, json.dumps(record, ensure_ascii=False)))
            continue
        numbers.append(n)
        for i, value in enumerate(record):
            columns[i].append(value)
    data = {f"__c{i}": col for i, col in enumerate(columns)}
    malformed = (
        pl.DataFrame(bad, schema=_empty_malformed().schema, orient="row")
        if bad
        else _empty_malformed()
    )
    return header, {"data": data, "numbers": numbers}, malformed


def read_text_frame(path: Path, header_rows: int = 1) -> FileText:
    """Every column as text (empty -> null), plus ``_row_number`` (1 = first data row).

    ``header_rows=2`` reads a file whose header spans two rows (SurveyMonkey) with the exact
    reader, the two rows combined into one name per column."""
    csv.field_size_limit(1 << 30)
    encoding, has_nul, head = _scan(path)
    notes: list[str] = []
    if encoding == "utf-8-sig":
        notes.append("UTF-8 byte-order mark removed")
    elif encoding == "cp1252":
        notes.append("not valid UTF-8: read as Windows-1252")
    elif encoding == "utf-16":
        notes.append("read as UTF-16")
    first_line = decode_bytes(head, encoding if encoding != "utf-8-sig" else "utf-8-sig")
    first_line = first_line.replace("\x00", "").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    if delimiter != ",":
        notes.append(f"{DELIMITER_NAMES[delimiter]}-delimited")
    needs_text = encoding is not None or has_nul
    text: str | None = None
    if needs_text:
        data = path.read_bytes()
        if has_nul:
            if encoding != "utf-16":
                nuls = data.count(b"\x00")
                data = data.replace(b"\x00", b"")
                notes.append(f"{nuls} NUL byte(s) removed")
        text = decode_bytes(data, encoding)
        if encoding == "utf-16" and "\x00" in text:
            notes.append(f"{text.count(chr(0))} NUL character(s) removed")
            text = text.replace("\x00", "")
        df = _fast(text.encode("utf-8"), delimiter) if header_rows == 1 else None
    else:
        df = _fast(path, delimiter) if header_rows == 1 else None
    malformed = _empty_malformed()
    if df is None:  # rows that do not fit the header: find them one by one
        if text is None:
            text = path.read_bytes().decode("utf-8")
        header, parsed, malformed = _slow(text, delimiter, path, header_rows)
        names = _clean_names(header)
        if dups := _duplicate_names(names):
            raise UnreadableFile(f"{path.name}: the header repeats column(s) {', '.join(dups)}")
        df = pl.DataFrame(
            {name: parsed["data"][f"__c{i}"] for i, name in enumerate(names)} if names else {},
            schema={name: pl.String for name in names},
        )
        df = df.with_columns(pl.Series("_row_number", parsed.get("numbers", []), pl.Int64))
        df = df.with_columns(pl.col(c).replace("", None) for c in names)
        return FileText(df, malformed, notes, delimiter)
    names = _clean_names(df.columns)
    if dups := _duplicate_names(names):
        raise UnreadableFile(f"{path.name}: the header repeats column(s) {', '.join(dups)}")
    df = df.rename(dict(zip(df.columns, names, strict=True)))
    df = df.with_columns(pl.col(c).replace("", None) for c in names)  # a quoted "" is empty too
    df = df.with_row_index("_row_number", offset=1).with_columns(
        pl.col("_row_number").cast(pl.Int64)
    )
    return FileText(df, malformed, notes, delimiter)
