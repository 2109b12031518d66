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
  is kept aside whole with its row number;
- a quote left open (``"open`` that runs on into the next lines) is found, and every line it
  spans is kept aside with the rule ``quoting``, never merged into one row;
- blank and whitespace-only lines are skipped and counted, not rows;
- a line longer than :data:`MAX_LINE_BYTES` is kept aside (rule ``line_too_long``, its first
  kilobyte as the record) without ever being held in memory whole;
- a header that names a column twice is reported (``duplicate_columns``: the loader rejects
  the whole file, rows kept), the repeats renamed ``name (2)``;
- binary content (a compressed archive, a program, an image or PDF renamed ``.csv``) is
  unreadable.

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

from dagster_project.ingest import json_export

DELIMITERS = (",", ";", "\t", "|")
MAX_LINE_BYTES = 1 << 20  # a longer line is rejected unread (line_too_long)
_LONG = "\x1elong-line-"  # placeholder first field of a line set aside as too long
BINARY_MAGIC = {
    b"\x1f\x8b": "gzip archive",
    b"PK\x03\x04": "zip archive (or an Excel workbook)",
    b"\x7fELF": "program (ELF)",
    b"%PDF": "PDF document",
    b"\xd0\xcf\x11\xe0": "Office document (Excel 97-2003?)",
    b"BZh": "bzip2 archive",
    b"\xfd7zXZ": "xz archive",
    b"7z\xbc\xaf": "7-zip archive",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"SQLite format 3": "SQLite database",
}
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
    duplicate_columns: list[str] = field(default_factory=list)  # header names given twice

    @property
    def rows_read(self) -> int:
        return self.frame.height + self.malformed.height


@dataclass
class _Scan:
    encoding: str | None  # None: plain UTF-8
    has_nul: bool
    head: bytes
    longest_line: int  # bytes


def _binary_kind(head: bytes) -> str | None:
    """What binary content the first bytes are, or None for text."""
    for magic, kind in BINARY_MAGIC.items():
        if head.startswith(magic):
            return kind
    sample = head[:8192]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or not sample:
        return None
    # text exports hold few NUL bytes (some tools pad with them) and few control characters;
    # binary files hold many
    nul = sample.count(0)
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    # bytes no Windows-1252 text has: random or encrypted data, not a mis-encoded export
    undefined = sum(sample.count(b) for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D))
    if (len(sample) >= 64 and nul > 0.1 * len(sample)) or (
        len(sample) >= 512
        and (controls > 0.3 * len(sample) or undefined > 0.005 * len(sample))
        and not _is_utf8(sample)
    ):
        return "binary data"
    return None


def _is_utf8(sample: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample)  # a cut last character is fine
    except UnicodeDecodeError:
        return False
    return True


def _scan(path: Path) -> _Scan:
    """Encoding, NUL bytes, first bytes and the longest line, without loading the file."""
    head = b""
    has_nul = False
    encoding = None
    longest = current = 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        first = True
        while chunk := f.read(_CHUNK):
            if first:
                head, first = chunk[:65536], False
                if kind := _binary_kind(head):
                    raise UnreadableFile(
                        f"{path.name}: binary content ({kind}), not a CSV export; export or "
                        "save the report as CSV"
                    )
                if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    return _Scan("utf-16", b"\x00" in chunk, head, 0)
                if chunk.startswith(codecs.BOM_UTF8):
                    encoding = "utf-8-sig"
            has_nul = has_nul or b"\x00" in chunk
            end = chunk.rfind(b"\n")
            if end < 0:
                current += len(chunk)
            else:
                start = chunk.find(b"\n")
                longest = max(longest, current + start)
                pos = start + 1
                while pos <= end:  # lines wholly inside the chunk
                    nxt = chunk.find(b"\n", pos)
                    longest = max(longest, nxt - pos)
                    pos = nxt + 1
                current = len(chunk) - end - 1
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
    return _Scan(encoding, has_nul, head, max(longest, current))


def _without_long_lines(
    path: Path, delimiter: str, width: int, limit: int = MAX_LINE_BYTES
) -> tuple[bytes, list[str]]:
    """The file's bytes with every line longer than ``limit`` replaced by a placeholder row
    (``_LONG`` + its index, then empty fields), and the first kilobyte of each such line. A long
    line is skipped in pieces: memory stays bounded by the limit, not by the line."""
    out: list[bytes] = []
    previews: list[str] = []
    with path.open("rb") as f:
        while line := f.readline(limit + 1):
            if len(line) <= limit or line.endswith(b"\n"):
                out.append(line)
                continue
            preview, size = line[:1024], len(line)
            while (piece := f.readline(limit)) and not piece.endswith(b"\n"):
                size += len(piece)
            size += len(piece)
            if not out:
                raise UnreadableFile(
                    f"{path.name}: the header line is longer than {limit:,} bytes; not read"
                )
            previews.append(
                f"{preview.decode('utf-8', errors='replace')} ... ({size:,} bytes, not read)"
            )
            out.append((f"{_LONG}{len(previews) - 1}" + delimiter * (width - 1) + "\n").encode())
    return b"".join(out), previews


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
    """Split the text record by record with Python's csv module (strict about quotes), so that
    every row that does not fit is found with its row number. A quote left open makes the
    reader run on over the next lines: every line of such a record is set aside with the rule
    ``quoting``, one rejected row per line, so rows read still equals the lines of the file."""
    physical = io.StringIO(text, newline="").readlines()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        if header_rows == 2:  # SurveyMonkey: question row, then answer-option row
            header = combine_header_rows(_clean_names(header), _clean_names(next(reader, [])))
    except StopIteration:
        return [], {"blank": 0}, _empty_malformed()
    except csv.Error as exc:
        raise UnreadableFile(f"{path.name}: cannot read the header: {exc}") from exc
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []
    bad: list[tuple[int, str, str, str]] = []
    n = blank = 0

    def quoting(first: int, last: int, why: str) -> None:
        nonlocal n, blank
        for line in physical[first - 1 : last]:
            if not line.strip():
                blank += 1
                continue
            n += 1
            bad.append((n, "quoting", why, json.dumps([line.rstrip("\r\n")], ensure_ascii=False)))

    while True:
        first = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            last = max(reader.line_num, first)
            quoting(
                first,
                last,
                f"a quote opened on line {first} of the file is not closed where a field "
                f"ends ({exc}); lines {first}-{last} kept aside, not merged into one row",
            )
            continue
        last = reader.line_num
        if not record or not "".join(physical[first - 1 : last]).strip():
            blank += last - first + 1
            continue  # a blank or whitespace-only line is not a row
        n += 1
        if len(record) != width:
            reason = f"row has {len(record)} fields, the header has {width}" + (
                " (a truncated last line?)" if len(record) < width else ""
            )
            bad.append((n, "field_count", reason, json.dumps(record, ensure_ascii=False)))
            continue
        numbers.append(n)
        for i, value in enumerate(record):
            columns[i].append(value)
    data = {f"__c{i}": col for i, col in enumerate(columns)}
    malformed = (
        pl.DataFrame(
            [(r, f"(row): {rule}: {why}", rec, rule) for r, rule, why, rec in bad],
            schema={**_empty_malformed().schema, "_rule": pl.String},
            orient="row",
        ).select("_row_number", "_rule", "_reason", "_raw_record")
        if bad
        else _empty_malformed()
    )
    return header, {"data": data, "numbers": numbers, "blank": blank}, malformed


def _dedupe(names: list[str]) -> tuple[list[str], list[str]]:
    """Names made unique (a repeat becomes ``name (2)``), and the names that were repeated."""
    dups = _duplicate_names(names)
    out: list[str] = []
    for name in names:
        new, k = name, 2
        while new in out:
            new, k = f"{name} ({k})", k + 1
        out.append(new)
    return out, dups


def _header_names(first_line: str, delimiter: str) -> list[str]:
    try:
        return _clean_names(next(csv.reader([first_line], delimiter=delimiter), []))
    except csv.Error:
        return []


def _set_aside_long_lines(
    df: pl.DataFrame, malformed: pl.DataFrame, previews: list[str], limit: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Move the placeholder rows of lines too long to read into the malformed rows."""
    first = next((c for c in df.columns if c != "_row_number"), None)
    if not previews or first is None:
        return df, malformed
    is_long = pl.col(first).fill_null("").str.starts_with(_LONG)
    long_rows = df.filter(is_long).select(
        "_row_number",
        pl.lit("line_too_long").alias("_rule"),
        pl.lit(f"(row): line_too_long: the line is longer than {limit:,} bytes; not read").alias(
            "_reason"
        ),
        pl.col(first)
        .str.strip_prefix(_LONG)
        .cast(pl.Int64)
        .map_elements(lambda i: json.dumps([previews[i]], ensure_ascii=False), pl.String)
        .alias("_raw_record"),
    )
    if "_rule" not in malformed.columns:
        malformed = malformed_rejects(malformed)
    malformed = pl.concat([malformed, long_rows.cast(malformed.schema)]).sort("_row_number")
    return df.filter(~is_long), malformed


def read_text_frame(
    path: Path, header_rows: int = 1, max_line_bytes: int = MAX_LINE_BYTES
) -> FileText:
    """Every column as text (empty -> null), plus ``_row_number`` (1 = first data row).

    ``header_rows=2`` reads a file whose header spans two rows (SurveyMonkey) with the exact
    reader, the two rows combined into one name per column."""
    if path.suffix.lower() == ".json":  # Google Business Profile reviews, and the like
        try:
            records, odd = json_export.frame(path)
        except json_export.NotRecords as exc:
            raise UnreadableFile(f"not read: {exc}") from None
        return FileText(records, odd, ["JSON records read as columns"])
    csv.field_size_limit(max_line_bytes + 1)
    scan = _scan(path)
    encoding, has_nul, head = scan.encoding, scan.has_nul, scan.head
    notes: list[str] = []
    if encoding == "utf-8-sig":
        notes.append("UTF-8 byte-order mark removed")
    elif encoding == "cp1252":
        notes.append("not valid UTF-8: read as Windows-1252")
    elif encoding == "utf-16":
        notes.append("read as UTF-16")
    first_line = decode_bytes(head, encoding if encoding != "utf-8-sig" else "utf-8-sig")
    first_line = first_line.replace("\x00", "").split("\n", 1)[0].rstrip("\r")
    delimiter = sniff_delimiter(first_line)
    if delimiter != ",":
        notes.append(f"{DELIMITER_NAMES[delimiter]}-delimited")
    header_names = _header_names(first_line, delimiter)
    previews: list[str] = []
    data: bytes | None = None
    if scan.longest_line > max_line_bytes and encoding != "utf-16":
        data, previews = _without_long_lines(
            path, delimiter, max(len(header_names), 1), max_line_bytes
        )
        notes.append(f"{len(previews)} line(s) longer than {max_line_bytes:,} bytes set aside")
    needs_text = encoding is not None or has_nul or data is not None
    text: str | None = None
    if needs_text:
        data = path.read_bytes() if data is None else data
        if has_nul:
            if encoding != "utf-16":
                nuls = data.count(b"\x00")
                data = data.replace(b"\x00", b"")
                notes.append(f"{nuls} NUL byte(s) removed")
        text = decode_bytes(data, encoding)
        del data
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
        if parsed.get("blank"):
            notes.append(f"{parsed['blank']} blank line(s) skipped")
        names, dups = _dedupe(_clean_names(header))
        df = pl.DataFrame(
            {name: parsed["data"][f"__c{i}"] for i, name in enumerate(names)} if names else {},
            schema={name: pl.String for name in names},
        )
        df = df.with_columns(pl.Series("_row_number", parsed.get("numbers", []), pl.Int64))
        df = df.with_columns(pl.col(c).replace("", None) for c in names)
    else:
        # polars renames a repeated name (score_duplicated_0): take the names from the header
        names, dups = _dedupe(
            header_names if len(header_names) == df.width else _clean_names(df.columns)
        )
        df = df.rename(dict(zip(df.columns, names, strict=True)))
        df = df.with_columns(pl.col(c).replace("", None) for c in names)  # a quoted "" too
        df = df.with_row_index("_row_number", offset=1).with_columns(
            pl.col("_row_number").cast(pl.Int64)
        )
    df, malformed = _set_aside_long_lines(df, malformed, previews, max_line_bytes)
    return FileText(df, malformed, notes, delimiter, dups)


def combine_header_rows(first: list[str], second: list[str]) -> list[str]:
    """SurveyMonkey's two header rows as one: the question (carried over the blank cells of a
    multiple-choice question), then ``| option`` unless the second row says just Response."""
    names: list[str] = []
    question = ""
    for i, top in enumerate(first):
        question = top or question
        sub = second[i] if i < len(second) else ""
        name = question if sub in ("", "Response", "Open-Ended Response") else f"{question} | {sub}"
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names
