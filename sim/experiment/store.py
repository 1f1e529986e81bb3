"""Results on disk: parts streamed while a batch runs, final tables, the summary, the manifest.

Layout of an output folder::

    batch.json                 what the folder holds (scenario identity), written first; --resume checks it
    parts/part-000001/         one flush of finished runs: runs.parquet, monthly.parquet, ... failures.parquet
    runs.parquet ...           the final tables, assembled from the parts when the batch ends
    summary.csv, manifest.json, scenario.resolved.yaml
    .teamsim.lock              the writer's lock (an flock held for the whole batch) and its PID
    quarantine/                parts found unreadable on --resume, moved aside (their runs are run again)

One process writes a folder at a time: :func:`writer_lock` takes an exclusive ``flock`` that the
kernel releases when its holder dies, however it dies, so a lock left by a killed batch is free
to take (the PID it recorded says it was not released cleanly).

Every write is atomic. A part is written into a hidden temporary folder and renamed into place in
one step, so a part either exists whole or not at all; a batch killed mid-write leaves only a
``.part-*.tmp`` folder, which is never read and is removed on ``--resume``. Files are written to a
temporary name and renamed, so a half-written file is never read as a result.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

TABLES = ("runs", "monthly", "people", "statements", "trace", "placements")
PARTS = "parts"
IDENTITY = "batch.json"
#: Files a fresh batch removes first, so stale results of an earlier batch are never mixed in.
STALE = ("manifest.json", "summary.csv", "failures.parquet", "sensitivity.parquet", "export.xlsx", IDENTITY)
LOCK = ".teamsim.lock"
QUARANTINE = "quarantine"


class StoreError(Exception):
    """The output folder cannot be read or written as needed (one line; what was committed stays).

    ``resumable``: the folder holds a batch that ``--resume`` can continue once the cause is fixed.
    """

    def __init__(self, message: str, resumable: bool = False):
        super().__init__(message)
        self.resumable = resumable


class FolderBusy(StoreError):
    """Another process holds the folder's writer lock."""


# -------------------------------------------------------------------------- the writer lock
_HELD: dict[Path, list[int]] = {}   # folder -> [lock fd, depth]: the lock is re-entrant in one process


def _forget_locks() -> None:
    # A forked child (a pool worker) closes its copies of the lock: the driver alone holds it, and
    # a driver killed with orphaned children must not leave the folder locked (flock is released
    # only when every descriptor of it is closed).
    for fd, _depth in _HELD.values():
        os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_locks)


def _lock_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


@contextmanager
def writer_lock(out: Path) -> Iterator[str | None]:
    """Hold ``out``'s writer lock (creating the folder); yields a note if it took over a dead holder's lock.

    Raises :class:`FolderBusy` naming the holder's PID when another process holds it, and
    :class:`StoreError` when the folder cannot be written.
    """
    out = Path(out)
    key = out.resolve()
    if key in _HELD:
        _HELD[key][1] += 1
        try:
            yield None
        finally:
            _HELD[key][1] -= 1
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as err:
        raise StoreError(f"{out}: cannot write results here ({err.strerror or err})",
                         resumable=(out / IDENTITY).exists()) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        holder = _lock_pid(fd)
        os.close(fd)
        if isinstance(err, BlockingIOError):
            who = f"PID {holder}" if holder else "another process"
            raise FolderBusy(f"{out}: another teamsim ({who}) is writing results here; wait for it to finish "
                             "or choose another --out") from None
        raise StoreError(f"{out}: cannot lock the folder for writing ({err.strerror or err})") from None
    try:
        stale = _lock_pid(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except OSError as err:
        os.close(fd)
        raise StoreError(f"{out}: cannot write results here ({err.strerror or err})",
                         resumable=(out / IDENTITY).exists()) from None
    _HELD[key] = [fd, 1]
    try:
        yield (f"{out}: took over the writer lock of PID {stale}, which ended without releasing it"
               if stale and stale != os.getpid() else None)
    finally:
        _HELD.pop(key, None)
        try:
            os.ftruncate(fd, 0)   # released cleanly: no PID left behind
        except OSError:
            pass
        os.close(fd)


def _libc_trim() -> object:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):   # not glibc
        return None


_TRIM = _libc_trim()


def release_memory() -> None:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim``; nothing elsewhere).

    Arrow's system allocator and pandas free what a window of rows used, but glibc keeps the pages;
    trimmed after each window, one window's peak does not stack on the last one's leftovers
    (measured: 15-33 MB returned per table assembled from a 10,000-run batch).
    """
    if _TRIM is not None:
        _TRIM(0)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_table(out: Path, name: str, df: pd.DataFrame) -> Path:
    path = Path(out) / f"{name}.parquet"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def read_table(out: Path, name: str) -> pd.DataFrame:
    """A final table whole, as pandas (for tables of one row per run or smaller; see :func:`read_parquet`)."""
    path = Path(out) / f"{name}.parquet"
    return read_parquet(path).to_pandas() if path.exists() else pd.DataFrame()


def scenario_hash(resolved: dict[str, Any]) -> str:
    """A stable hash of the resolved scenario (every default filled)."""
    blob = json.dumps(resolved, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    atomic_write_bytes(Path(out) / "manifest.json", json.dumps(manifest, indent=2, default=str).encode())


def read_manifest(out: Path) -> dict[str, Any]:
    return json.loads((Path(out) / "manifest.json").read_text())


def read_batch_manifest(out: Path) -> dict[str, Any]:
    """The manifest of the finished batch stored in ``out``, for the steps that read one (report, export);
    :class:`StoreError` in one line if there is none to read: no folder, no ``manifest.json`` or
    ``runs.parquet`` (a batch stopped before its tables were assembled), unreadable JSON, no scheme list."""
    out = Path(out)
    if not out.is_dir():
        raise StoreError(f"{out}: not a folder")
    if not (out / "manifest.json").is_file() or not (out / "runs.parquet").is_file():
        raise StoreError(f"{out}: not a stored batch (manifest.json or runs.parquet missing); run 'teamsim run' "
                         "first, or finish a stopped one with --resume")
    try:
        manifest = read_manifest(out)
    except (OSError, ValueError) as err:   # ValueError: bad JSON or not UTF-8
        raise StoreError(f"{out}: the stored batch cannot be read ({type(err).__name__}: "
                         f"{str(err).splitlines()[0][:160]})") from None
    schemes = manifest.get("schemes") if isinstance(manifest, dict) else None
    if not isinstance(schemes, list) or not schemes:
        raise StoreError(f"{out}: manifest.json is not a batch manifest (no scheme list)")
    return manifest


def write_resolved(out: Path, resolved: dict[str, Any]) -> None:
    atomic_write_bytes(Path(out) / "scenario.resolved.yaml",
                       yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True).encode())


# ------------------------------------------------------------------------- batch identity
def write_identity(out: Path, identity: dict[str, Any]) -> None:
    atomic_write_bytes(Path(out) / IDENTITY, json.dumps(identity, indent=2, default=str).encode())


def read_identity(out: Path) -> dict[str, Any] | None:
    """The folder's batch identity, None if there is none; :class:`StoreError` if it cannot be read."""
    path = Path(out) / IDENTITY
    if not path.exists():
        return None
    try:
        ident = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else f"not valid JSON: {str(err).splitlines()[0]}"
        ident = reason
    if not isinstance(ident, dict) or "hash" not in ident:
        reason = ident if isinstance(ident, str) else "not a batch record"
        raise StoreError(f"{path}: --resume refused: the record of what this folder holds is unreadable ({reason}); "
                         "its results cannot be matched to a scenario: run without --resume to start afresh, "
                         "or into another --out")
    return ident


def differing_keys(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two resolved scenarios (for a refusal's reason)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for k in sorted(set(old) | set(new), key=str):
            out += differing_keys(old.get(k), new.get(k), f"{prefix}{k}.")
        return out
    return [] if old == new else [prefix.rstrip(".") or "(whole scenario)"]


def start_fresh(out: Path) -> None:
    """Remove the parts and stale result files of an earlier batch in ``out`` (a new batch starts)."""
    out = Path(out)
    shutil.rmtree(out / PARTS, ignore_errors=True)
    for name in STALE:
        (out / name).unlink(missing_ok=True)


# ----------------------------------------------------------------------------------- parts
def _part_dirs(out: Path) -> list[Path]:
    parts = Path(out) / PARTS
    return sorted(p for p in parts.iterdir() if p.is_dir() and p.name.startswith("part-")) if parts.exists() else []


def remove_unfinished(out: Path) -> int:
    """Delete half-written parts (left by a kill mid-write); returns how many."""
    parts = Path(out) / PARTS
    stale = [p for p in parts.iterdir() if p.name.startswith(".part-")] if parts.exists() else []
    for p in stale:
        shutil.rmtree(p, ignore_errors=True)
    return len(stale)


def _move_aside(out: Path, part: Path) -> Path:
    dest_dir = Path(out) / QUARANTINE
    dest_dir.mkdir(exist_ok=True)
    dest, n = dest_dir / part.name, 1
    while dest.exists():
        dest, n = dest_dir / f"{part.name}.{n}", n + 1
    os.replace(part, dest)
    return dest


def quarantine_unreadable(out: Path) -> list[str]:
    """Move every part with a file that cannot be read (truncated, damaged) to ``quarantine/``.

    A part holds whole runs in each of its tables, so moving the whole part keeps the tables
    consistent; its runs are then missing and ``--resume`` runs them again. Returns one note per part.
    """
    notes = []
    for part in _part_dirs(out):
        try:
            for f in sorted(part.glob("*.parquet")):
                pq.read_metadata(f)
            if (part / "runs.parquet").exists():
                read_parquet(part / "runs.parquet", ["run_id"])
        except (OSError, pa.ArrowException) as err:
            dest = _move_aside(out, part)
            notes.append(f"{part}: unreadable ({str(err).splitlines()[0][:120]}); moved to {dest}, "
                         "its runs are run again")
    return notes


class PartWriter:
    """Appends parts to ``out/parts``: each call to :meth:`write` is one atomic part."""

    def __init__(self, out: Path):
        self.dir = Path(out) / PARTS
        self.dir.mkdir(parents=True, exist_ok=True)
        existing = [int(p.name.split("-")[1]) for p in _part_dirs(out)]
        self.seq = max(existing, default=0)

    def write(self, tables: dict[str, pa.Table | list[dict[str, Any]]]) -> Path | None:
        """Write the non-empty ``tables`` (name -> rows, or an Arrow table) as the next part; None if all are empty."""
        if not any(len(t) for t in tables.values()):
            return None
        self.seq += 1
        name = f"part-{self.seq:06d}"
        tmp = self.dir / f".{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for table, rows in tables.items():
            if len(rows):
                data = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows)
                pq.write_table(data, tmp / f"{table}.parquet")
        os.replace(tmp, self.dir / name)   # the commit: the part appears whole or not at all
        return self.dir / name


def part_files(out: Path, table: str) -> list[Path]:
    return [f for p in _part_dirs(out) if (f := p / f"{table}.parquet").exists()]


def read_parquet(path: Path, columns: list[str] | None = None) -> pa.Table:
    """One Parquet file as an Arrow table. ``ParquetFile`` rather than ``pq.read_table``: the latter
    loads pyarrow's dataset machinery, which costs the driver ~50 MB of resident memory.

    Memory-mapped: a file read through Arrow's buffered reader leaves memory behind in the reading
    process (some 0.4 MB per part file read, for good, whatever Arrow's memory pool), which added up
    to tens of MB over a batch's parts; mapped, it leaves none. Files are replaced only by renaming,
    never rewritten in place, so a mapping never sees a file change under it.
    """
    with pq.ParquetFile(path, memory_map=True) as f:
        return f.read(columns=columns, use_threads=False)


def read_batches(path: Path, rows: int, columns: list[str] | None = None) -> Iterator[pa.Table]:
    """A Parquet file ``rows`` rows at a time (memory-mapped, as :func:`read_parquet`)."""
    with pq.ParquetFile(path, memory_map=True) as f:
        for batch in f.iter_batches(batch_size=rows, columns=columns, use_threads=False):
            yield pa.Table.from_batches([batch])


def nullable_ints(path: Path) -> set[str]:
    """Integer columns of a Parquet file with a null anywhere in it (from its statistics; unknown counts as null)."""
    meta = pq.read_metadata(path)
    schema = meta.schema.to_arrow_schema()
    out: set[str] = set()
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        for c in range(rg.num_columns):
            st = rg.column(c).statistics
            if pa.types.is_integer(schema.field(c).type) and (st is None or st.null_count):
                out.add(schema.names[c])
    return out


def slice_to_pandas(table: pa.Table, nullable: set[str]) -> pd.DataFrame:
    """Rows read from a file, as pandas typed as the whole file would be: an integer column with a null
    anywhere in the file (``nullable``, see :func:`nullable_ints`) is float in every slice, not only in
    the slices that hold a null."""
    for name in nullable & set(table.column_names):
        table = table.set_column(table.column_names.index(name), name, table.column(name).cast(pa.float64()))
    return table.to_pandas()


def iter_parts(out: Path, table: str, columns: list[str] | None = None) -> Iterator[pa.Table]:
    """Each finished part of ``table`` in write order (only the ``columns`` asked for)."""
    for f in part_files(out, table):
        names = pq.read_schema(f).names
        yield read_parquet(f, [c for c in columns if c in names] if columns else None)


def concat(tables: Iterable[pa.Table]) -> pa.Table | None:
    tables = list(tables)
    return pa.concat_tables(tables, promote_options="permissive") if tables else None


def read_parts(out: Path, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    t = concat(iter_parts(out, table, columns))
    return t.to_pandas() if t is not None else pd.DataFrame()


def done_run_ids(out: Path) -> set[str]:
    """Ids of the runs already stored successfully (a failed run is not done: --resume retries it)."""
    done: set[str] = set()
    for t in iter_parts(out, "runs", ["run_id"]):
        done.update(t.column("run_id").to_pylist())
    return done


def count_runs(out: Path) -> int:
    """How many runs are stored (0 if the parts cannot be read)."""
    try:
        return len(done_run_ids(out))
    except (OSError, pa.ArrowException):
        return 0


def open_dataset(out: Path, table: str) -> Any:
    """A lazy view of a table (a ``pyarrow.dataset.Dataset``): the final file if assembled, else the parts so far."""
    import pyarrow.dataset as ds  # imported here: it costs the driver ~50 MB of memory

    final = Path(out) / f"{table}.parquet"
    return ds.dataset(final if final.exists() else part_files(out, table), format="parquet")
