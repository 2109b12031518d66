"""Vendor export formats: recognise a landing file by its header and map it onto the contracts.

A business drops the files its tools export (Square, Shopify, Zendesk, HubSpot, SurveyMonkey,
Delighted, BambooHR) into ``landing/``. Each format is data, one YAML file in
``data_contracts/vendors/`` (see the README there): the header that identifies it, and for each
contract it feeds, how each contract column is made from the vendor's columns. Adding a vendor
or a new variant of an export is a new YAML file, not code.

A file is matched by its header only: a format matches when the file has every column the
format lists under ``header`` (any order, any case, extra columns ignored); the most specific
matching format wins. A file in ``landing/<contract>/`` whose header is no vendor format is read
as that contract's own (canonical) format, as before; a file elsewhere in ``landing/`` may also
be a canonical file (it has every required column of a contract). A file that is none of these
is recorded as unrecognised, with the closest known formats and the headers they expect.

The mapping turns the vendor file into canonical text columns; validation against the contract
then runs exactly as for canonical files, so every row is loaded or rejected with its reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from dagster_project.contracts import Contract, load_contracts
from dagster_project.ingest import json_export
from dagster_project.ingest.reader import decode_bytes, sniff_delimiter
from dagster_project.settings import load_settings

VENDORS_DIR = "vendors"  # beside the contracts
LANDING_SUFFIXES = (".csv", ".json")  # what is read; other files are recorded as not readable
IN_PROGRESS_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".swp")


class FormatError(ValueError):
    """A vendor format file that cannot be used."""


def normalise_name(name: str) -> str:
    """A header name for matching: case, BOM and runs of spaces ignored."""
    return " ".join(str(name).replace("\ufeff", "").split()).lower()


# --------------------------------------------------------------------------- format files


@dataclass(frozen=True)
class RowSet:
    """One way a contract's rows are made from the file's rows."""

    columns: dict[str, Any]  # contract column -> column spec
    where: dict[str, Any] | None = None  # the file rows this set takes (default: all)
    reject_others: str | None = None  # rows not taken are rejected with this reason
    group_by: tuple[str, ...] = ()  # one output row per group of file rows
    aggregate: dict[str, str] = field(default_factory=dict)  # column -> first|sum|min|max


@dataclass(frozen=True)
class VendorFormat:
    id: str
    vendor: str
    export: str
    path: Path
    header: tuple[str, ...]  # the columns that identify the format
    first_column: str | None
    header_rows: int
    fill_forward: dict[str, Any] | None
    timezone: Any  # None (values are local), an IANA name, or {column:, names:}
    outputs: dict[str, tuple[RowSet, ...]]

    @property
    def title(self) -> str:
        return f"{self.vendor} {self.export}"

    def matches(self, header: list[str]) -> bool:
        names = {normalise_name(h) for h in header}
        if self.first_column and (
            not header or normalise_name(header[0]) != normalise_name(self.first_column)
        ):
            return False
        return all(normalise_name(h) in names for h in self.header)


# The column-spec language (data_contracts/vendors/README.md; applied by vendor_mapping.py):
# a spec starts from one SOURCE key and may go on with MODIFIER keys.
SOURCE_KEYS = frozenset(
    {"column", "columns", "match", "value", "template", "numbered", "case", "pick"}
)
MODIFIER_KEYS = frozenset(
    {
        "else",
        "extract",
        "values",
        "unmapped",
        "slug",
        "number",
        "times",
        "divided_by",
        "plus",
        "minus",
        "abs",
        "negate",
        "negate_when",
        "timestamp",
        "date",
        "unix_time",
        "add_minutes",
        "default",
    }
)
CONDITION_KEYS = frozenset({"equals", "in", "not_in", "present", "nonzero"})
ROW_SET_KEYS = frozenset({"columns", "where", "reject_others", "group_by", "aggregate"})
AGGREGATES = frozenset({"first", "sum", "min", "max"})


def _check_condition(cond: Any, where: str) -> None:
    if not isinstance(cond, dict) or "column" not in cond or len(set(cond) & CONDITION_KEYS) != 1:
        raise FormatError(
            f"{where}: a condition is {{column: X, <one of {', '.join(sorted(CONDITION_KEYS))}>}},"
            f" not {cond!r}"
        )


def _check_spec(spec: Any, where: str) -> None:
    """Refuse a column spec the mapping would not understand, naming where it is."""
    if isinstance(spec, str):
        return
    if not isinstance(spec, dict):
        raise FormatError(f"{where}: a column spec is a column name or a mapping, not {spec!r}")
    unknown = set(spec) - SOURCE_KEYS - MODIFIER_KEYS
    if unknown:
        raise FormatError(f"{where}: unknown key(s) {sorted(unknown)} in {spec!r}")
    sources = set(spec) & SOURCE_KEYS
    if len(sources) != 1:
        raise FormatError(
            f"{where}: a column spec starts from exactly one of {sorted(SOURCE_KEYS)}, "
            f"not {sorted(sources) or 'none'}"
        )
    for branch in spec.get("case", []):
        _check_condition(branch.get("when"), where)
        _check_spec(branch.get("then"), where)
    for key in ("else", "numbered", "times", "divided_by", "plus", "minus"):
        if key in spec and not isinstance(spec[key], (int, float)):
            _check_spec(spec[key], where)
    if "negate_when" in spec:
        _check_condition(spec["negate_when"], where)


def _row_set(spec: dict[str, Any], where: str) -> RowSet:
    if not isinstance(spec, dict) or "columns" not in spec:
        raise FormatError(f"{where}: a row set needs 'columns'")
    if unknown := set(spec) - ROW_SET_KEYS:
        raise FormatError(f"{where}: unknown row-set key(s) {sorted(unknown)}")
    for column, column_spec in spec["columns"].items():
        _check_spec(column_spec, f"{where}.{column}")
    if spec.get("where") is not None:
        _check_condition(spec["where"], f"{where}: where")
    if bad := set((spec.get("aggregate") or {}).values()) - AGGREGATES:
        raise FormatError(f"{where}: aggregate must be one of {sorted(AGGREGATES)}, not {bad}")
    group = spec.get("group_by") or ()
    return RowSet(
        columns=dict(spec["columns"]),
        where=spec.get("where"),
        reject_others=spec.get("reject_others"),
        group_by=tuple([group] if isinstance(group, str) else group),
        aggregate=dict(spec.get("aggregate") or {}),
    )


def _merge(base: Any, child: Any) -> Any:
    if isinstance(base, dict) and isinstance(child, dict):
        return {k: _merge(base.get(k), child[k]) if k in child else base[k] for k in base | child}
    return child


def _read_doc(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The format's YAML; ``extends: <file stem>`` starts from another format of the folder
    (its keys merged, the child's winning), so a variant only states what differs."""
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise FormatError(f"{path}: not valid YAML: {exc}") from exc
    if "extends" in doc:
        base = path.parent / f"{doc.pop('extends')}.yaml"
        if not base.is_file() or base in seen:
            raise FormatError(f"{path}: extends {base.stem!r}, which is not a format file here")
        doc = _merge(_read_doc(base, (*seen, path)), doc)
    return doc


def parse_format(path: Path, contracts: dict[str, Contract]) -> VendorFormat:
    doc = _read_doc(path)
    for key in ("id", "vendor", "export", "header", "outputs"):
        if key not in (doc or {}):
            raise FormatError(f"{path}: missing '{key}'")
    outputs: dict[str, tuple[RowSet, ...]] = {}
    for contract, spec in doc["outputs"].items():
        if contract not in contracts:
            raise FormatError(f"{path}: output {contract!r} is not a contract")
        sets = spec if isinstance(spec, list) else [spec]
        outputs[contract] = tuple(_row_set(s, f"{path}: {contract}") for s in sets)
        first = outputs[contract][0]
        if first.where is not None and not first.reject_others:
            # every file row must be accounted for: loaded through the first set or rejected
            raise FormatError(
                f"{path}: {contract}: the first row set takes every row, or has "
                "'reject_others' with the reason the other rows are not loaded"
            )
        unknown = {c for s in outputs[contract] for c in s.columns} - set(
            contracts[contract].column_names
        )
        if unknown:
            raise FormatError(f"{path}: {contract} has no column(s) {sorted(unknown)}")
    return VendorFormat(
        id=doc["id"],
        vendor=doc["vendor"],
        export=doc["export"],
        path=path,
        header=tuple(doc["header"]),
        first_column=doc.get("first_column"),
        header_rows=int(doc.get("header_rows", 1)),
        fill_forward=doc.get("fill_forward"),
        timezone=doc.get("timezone"),
        outputs=outputs,
    )


@cache
def _load_formats(folder: str) -> tuple[VendorFormat, ...]:
    contracts = load_contracts(Path(folder).parent)
    formats = tuple(parse_format(p, contracts) for p in sorted(Path(folder).glob("*.yaml")))
    ids = [f.id for f in formats]
    if len(set(ids)) != len(ids):
        raise FormatError(f"{folder}: two formats share an id: {ids}")
    return formats


def load_formats(contracts_dir: Path) -> tuple[VendorFormat, ...]:
    """Every vendor format beside the contracts (``data_contracts/vendors/*.yaml``)."""
    folder = contracts_dir / VENDORS_DIR
    if not folder.is_dir():
        return ()
    return _load_formats(str(folder))


# --------------------------------------------------------------------------- headers


def read_header(path: Path, rows: int = 1) -> list[list[str]]:
    """The first ``rows`` records of a file (cheap: reads at most the first 256 kB, once per
    version of the file in a process: every ingest asset and the ledger check plan landing/)."""
    st = path.stat()
    return [list(r) for r in _read_header(path, st.st_size, st.st_mtime_ns, rows)]


@lru_cache(maxsize=4096)
def _read_header(path: Path, size: int, mtime_ns: int, rows: int) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(r) for r in _read_records(path, rows))


def _read_records(path: Path, rows: int) -> list[list[str]]:
    if path.suffix.lower() == ".json":
        return [json_export.header(path)]
    with path.open("rb") as f:
        head = f.read(1 << 18)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head[: len(head) - len(head) % 2].decode("utf-16", errors="replace")
    else:
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # a cut multi-byte character at the end, or Windows-1252
            text = (
                head[: exc.start].decode("utf-8-sig")
                if exc.start > len(head) - 4
                else decode_bytes(head, "cp1252")
            )
    text = text.replace("\x00", "")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    out: list[list[str]] = []
    try:
        for record in reader:
            out.append([c.replace("\ufeff", "").strip() for c in record])
            if len(out) == rows:
                break
    except csv.Error:
        pass
    return out


# --------------------------------------------------------------------------- landing plan


@dataclass
class PlannedFile:
    path: Path
    rel: str
    fmt: VendorFormat | None  # None: the contract's own format
    contracts: tuple[str, ...]


@dataclass
class LandingPlan:
    files: list[PlannedFile]
    unrecognised: list[tuple[Path, str, str]]  # path, relative name, message
    # entries that are not regular files inside landing/ (symbolic links, devices, FIFOs):
    # path, relative name, message; nothing of them is read
    refused: list[tuple[Path, str, str]] = field(default_factory=list)

    def for_contract(self, name: str) -> list[PlannedFile]:
        return [f for f in self.files if name in f.contracts]


def _in_progress(name: str) -> bool:
    """Hidden files, and files a download, sync or editor is still writing."""
    return name.startswith((".", "~$")) or name.lower().endswith(IN_PROGRESS_SUFFIXES)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def refusal(landing: Path, path: Path) -> str | None:
    """Why ``path`` may not be read (None: a regular file inside landing/). The entry itself is
    examined (``lstat``): a symbolic link is never followed, whatever it points to."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"cannot be examined ({exc.strerror})"
    if not stat.S_ISREG(mode):
        return _kind(mode)
    root = os.path.realpath(landing)
    if os.path.commonpath([root, os.path.realpath(path)]) != root:
        return "a path that resolves outside landing/"
    return None


def scan_landing(landing: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Regular files in landing/ and its first level of folders (hidden and in-progress ones
    skipped), and the entries refused with the reason: symbolic links to files or folders,
    devices, FIFOs and sockets are not read, and a linked folder is not entered."""
    if not landing.is_dir():
        return [], []
    files: list[Path] = []
    refused: list[tuple[Path, str]] = []

    def visit(p: Path, depth: int) -> None:
        if _in_progress(p.name):
            return
        try:
            mode = p.lstat().st_mode
        except OSError:
            return  # gone since the folder was listed
        if stat.S_ISDIR(mode):
            if depth == 0:
                for q in p.iterdir():
                    visit(q, 1)
            return
        why = refusal(landing, p)
        if why is None:
            files.append(p)
        else:
            refused.append((p, why))

    for p in landing.iterdir():
        visit(p, 0)
    key = lambda q: str(q.relative_to(landing))  # noqa: E731
    return sorted(files, key=key), sorted(refused, key=lambda r: key(r[0]))


def landing_files(landing: Path) -> list[Path]:
    """Regular files in landing/ and its first level of folders (see :func:`scan_landing`)."""
    return scan_landing(landing)[0]


def detect(header: list[str], formats: tuple[VendorFormat, ...]) -> VendorFormat | None:
    """The most specific vendor format the header matches."""
    hits = [f for f in formats if f.matches(header)]
    return max(hits, key=lambda f: (len(f.header), bool(f.first_column)), default=None)


def canonical_match(header: list[str], contracts: dict[str, Contract]) -> Contract | None:
    names = {normalise_name(h) for h in header}
    best, best_score = None, 0.0
    for c in contracts.values():
        if all(normalise_name(r) in names for r in c.required_columns):
            score = len(names & {normalise_name(n) for n in c.column_names}) / len(
                names | set(c.column_names)
            )
            if score > best_score:
                best, best_score = c, score
    return best


def closest_formats(
    header: list[str],
    formats: tuple[VendorFormat, ...],
    contracts: dict[str, Contract],
    limit: int = 3,
) -> str:
    """The known formats nearest to a header, each with the columns it expects."""
    names = {normalise_name(h) for h in header}
    candidates = [
        (f.title, f"data_contracts/vendors/{f.path.name}", list(f.header)) for f in formats
    ]
    candidates += [
        (f"canonical {c.name}", f"data_contracts/{c.path.name}", c.column_names)
        for c in contracts.values()
    ]

    def score(item: tuple[str, str, list[str]]) -> float:
        expected = {normalise_name(n) for n in item[2]}
        return len(names & expected) / len(names | expected) if names | expected else 0.0

    ranked = sorted(candidates, key=score, reverse=True)[:limit]
    parts = []
    for title, where, expected in ranked:
        have = [e for e in expected if normalise_name(e) in names]
        missing = [e for e in expected if normalise_name(e) not in names]
        parts.append(
            f"{title} ({where}): has {len(have)} of its {len(expected)} columns"
            + (
                f", lacks {', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}"
                if missing
                else ""
            )
            + f"; expects header: {', '.join(expected)}"
        )
    return "closest known formats: " + " | ".join(f"{i}) {p}" for i, p in enumerate(parts, 1))


def classify(
    header: list[str],
    folder: str | None,
    contracts: dict[str, Contract],
    formats: tuple[VendorFormat, ...],
) -> tuple[VendorFormat | None, tuple[str, ...], str]:
    """(vendor format or None, the contracts the file feeds, how it was recognised) for a file
    with this header in ``landing/<folder>/`` (folder None: the top of landing/). No contracts:
    the file is in no known format."""
    fmt = detect(header, formats)
    if fmt is not None:
        return fmt, tuple(fmt.outputs), f"{fmt.title} (data_contracts/vendors/{fmt.path.name})"
    if folder in contracts:
        return None, (folder,), f"canonical {folder} (by its folder)"
    if (c := canonical_match(header, contracts)) is not None:
        return None, (c.name,), f"canonical {c.name} (by its columns)"
    return None, (), "no known format"


def plan_landing(
    landing: Path, contracts: dict[str, Contract], formats: tuple[VendorFormat, ...]
) -> LandingPlan:
    files: list[PlannedFile] = []
    unknown: list[tuple[Path, str, str]] = []
    found, refused = scan_landing(landing)
    refusals = []
    for path, why in refused:
        rel = str(path.relative_to(landing))
        refusals.append(
            (
                path,
                rel,
                f"{rel}: not read: {why}; landing/ reads only regular files inside it (copy "
                "the export itself into landing/)",
            )
        )
    for path in found:
        rel = str(path.relative_to(landing))
        if path.suffix.lower() not in LANDING_SUFFIXES:
            kind = "an Excel workbook" if path.suffix.lower() in (".xlsx", ".xls") else "not CSV"
            unknown.append(
                (
                    path,
                    rel,
                    f"{rel}: file not read: {kind} ({path.suffix or 'no extension'}); exports "
                    "are read as CSV files (and JSON exports such as Google's reviews): export or "
                    "save the report as CSV and drop that file",
                )
            )
            continue
        header = (read_header(path) or [[]])[0]
        folder = path.parent.name if path.parent != landing else None
        fmt, feeds, _ = classify(header, folder, contracts, formats)
        if feeds:
            files.append(PlannedFile(path, rel, fmt, feeds))
            continue
        # nothing of the file's content in the message (it reaches the report): the operator
        # sees the header with `make formats FILES=...`
        unknown.append(
            (
                path,
                rel,
                f"{rel}: file rejected: its header ({len(header)} columns) matches no known "
                "export format; "
                + closest_formats(header, formats, contracts)
                + ". Put a canonical file in landing/<source>/, or add a format file in "
                "data_contracts/vendors/; `make formats FILES=...` shows its header.",
            )
        )
    return LandingPlan(files, unknown, refusals)


def describe_file(
    path: Path, contracts: dict[str, Contract], formats: tuple[VendorFormat, ...]
) -> str:
    """One line on how a refresh would read this file (for operators writing a format)."""
    header = (read_header(path) or [[]])[0]
    _, feeds, how = classify(header, path.parent.name, contracts, formats)
    if feeds:
        return f"{path}: {how} -> {', '.join(feeds)}"
    return f"{path}: {how}; " + closest_formats(header, formats, contracts)


def main(argv: list[str] | None = None) -> int:
    """``python -m dagster_project.ingest.formats FILE...``: which format each file is in."""
    import sys

    paths = [Path(a) for a in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: python -m dagster_project.ingest.formats FILE...", file=sys.stderr)
        return 2
    contracts_dir = load_settings().contracts_dir
    contracts, formats = load_contracts(contracts_dir), load_formats(contracts_dir)
    unknown = 0
    for path in paths:
        line = describe_file(path, contracts, formats)
        unknown += "no known format" in line
        print(line)
    return 1 if unknown else 0


if __name__ == "__main__":
    raise SystemExit(main())
