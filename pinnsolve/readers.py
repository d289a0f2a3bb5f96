"""Reference solutions read from files: COMSOL text exports, CSV and ``.npz``, plain or gzipped.

Each format is one reader class plus its entry in :data:`READERS` (by file suffix, ``.gz`` aside).
A reader returns named columns; :func:`read_reference` matches them to a problem's variables
and unknowns, drops rows holding NaN (as PINNacle does: COMSOL writes NaN outside its mesh), and
checks that every point lies in the domain. Every failure is a :class:`DataFileError` naming the
file and what is wrong with it.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from pinnsolve.geometry import Geometry
from pinnsolve.problem import Reference

log = logging.getLogger(__name__)


class DataFileError(ValueError):
    """A data file that cannot be used, with the reason."""


@dataclass(frozen=True)
class Table:
    """What a reader found: coordinate columns by name (in the file's order), and the unknowns'
    columns by name, each either one column or, in a time-dependent export, one per time in ``times``."""

    coordinates: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray]  # shape (rows,) or (rows, len(times))
    times: np.ndarray | None = None


class Reader(ABC):
    """Reads the text (or bytes) of one format into a :class:`Table`."""

    @abstractmethod
    def read(self, data: bytes, unknowns: Sequence[str]) -> Table: ...


# "u (1) @ t=0.5", "u @ Re=100", "u (K) @ t=2": the unknown, a unit, and the time if there is one
_COMSOL_LABEL = re.compile(r"^(?P<name>[^\s(@]+)\s*(\([^)]*\))?\s*(@\s*(?P<key>\w+)\s*=\s*(?P<value>\S+))?$")


class ComsolText(Reader):
    """A COMSOL text export: header lines start with ``%``, the last of them names the columns
    (coordinates first, then each expression, ``NAME (UNIT) @ t=TIME`` once per time of a
    time-dependent export); then one row per mesh node."""

    def read(self, data: bytes, unknowns: Sequence[str]) -> Table:
        text = data.decode("utf-8", errors="replace")
        header, rows = [], []
        for line in text.splitlines():
            if line.startswith("%"):
                header.append(line[1:].strip())
            elif line.strip():
                rows.append(line)
        if not header:
            raise DataFileError("no header line (COMSOL's start with %) names the columns")
        labels = re.split(r"\s{2,}", header[-1].strip())
        values = _numbers(rows, len(labels))
        coordinates: dict[str, np.ndarray] = {}
        columns: dict[str, list[int]] = {}
        times: dict[str, list[float]] = {}
        for index, label in enumerate(labels):
            match = _COMSOL_LABEL.match(label)
            name = match["name"] if match else label
            if name in unknowns:
                columns.setdefault(name, []).append(index)
                if match and match["key"] == "t":
                    times.setdefault(name, []).append(float(match["value"]))
            elif not columns:
                coordinates[name.lower()] = values[:, index]
        missing = [name for name in unknowns if name not in columns]
        if missing:
            raise DataFileError(f"no column for {missing}; its columns are {labels}")
        time_lists = {tuple(t) for t in times.values()}
        if len(time_lists) > 1 or (times and len(times) != len(columns)):
            raise DataFileError("the unknowns' columns are not given at the same times")
        if not times:
            return Table(coordinates, {name: values[:, columns[name][0]] for name in unknowns})
        return Table(coordinates, {name: values[:, columns[name]] for name in unknowns}, np.array(time_lists.pop()))


class Csv(Reader):
    """A CSV file whose header names its columns: the variables and the unknowns."""

    def read(self, data: bytes, unknowns: Sequence[str]) -> Table:
        text = data.decode("utf-8-sig", errors="replace")  # -sig: Excel's "CSV UTF-8" starts with a byte-order mark
        reader = csv.reader(io.StringIO(text))
        try:
            labels = [label.strip() for label in next(reader)]
        except StopIteration:
            raise DataFileError("it is empty") from None
        rows = [row for row in reader if row]
        values = _numbers([",".join(row) for row in rows], len(labels), separator=",")
        named = {label: values[:, i] for i, label in enumerate(labels)}
        return Table({k: v for k, v in named.items() if k not in unknowns}, {k: v for k, v in named.items() if k in unknowns})


class Npz(Reader):
    """A NumPy ``.npz`` archive of 1-D arrays, one per variable and unknown."""

    def read(self, data: bytes, unknowns: Sequence[str]) -> Table:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            named = {name: archive[name] for name in archive.files}
        for name, array in named.items():
            if array.ndim != 1 or np.iscomplexobj(array) or not np.issubdtype(array.dtype, np.number):
                raise DataFileError(f"array {name!r} must be 1-D and real, got {array.dtype} of shape {array.shape}")
        named = {name: array.astype(np.float64) for name, array in named.items()}
        return Table({k: v for k, v in named.items() if k not in unknowns}, {k: v for k, v in named.items() if k in unknowns})


READERS: dict[str, type[Reader]] = {".dat": ComsolText, ".txt": ComsolText, ".csv": Csv, ".npz": Npz}


def _numbers(rows: Sequence[str], width: int, separator: str | None = None) -> np.ndarray:
    """Rows of ``width`` numbers each, shape (len(rows), width); row numbers in errors count from 1."""
    values = np.empty((len(rows), width))
    for number, row in enumerate(rows, start=1):
        fields = row.split(separator)
        if len(fields) != width:
            raise DataFileError(f"data row {number} has {len(fields)} values, the header names {width} columns")
        try:
            values[number - 1] = [float(field) for field in fields]
        except ValueError:
            raise DataFileError(f"data row {number} holds a value that is not a real number: {row.strip()[:80]!r}") from None
    return values


def read_reference(path: Path, domain: Geometry, unknowns: Sequence[str]) -> Reference:
    """The reference solution in ``path`` at its own points, in ``domain``'s variables: the file's
    coordinate columns are the spatial variables in order, and a time-dependent export is unrolled
    into one row per node and time. Raises :class:`DataFileError`."""
    table = read_table(path, unknowns)
    inputs, values = _points(path, table, domain, unknowns)
    finite = np.isfinite(inputs).all(axis=1) & np.isfinite(values).all(axis=1)
    dropped = int((~finite).sum())
    if dropped:
        log.info("%s: dropped %d of %d rows holding NaN", path, dropped, len(finite))
    inputs, values = inputs[finite], values[finite]
    if len(inputs) == 0:
        raise DataFileError(f"{path}: no row without NaN")
    scale = max(1.0, float(np.max(domain.upper - domain.lower)))
    outside = ~domain.contains(inputs, tol=1e-9 * scale)
    if outside.any():
        first = int(np.argmax(outside))
        raise DataFileError(
            f"{path}: {int(outside.sum())} points lie outside the domain {domain.describe()} of {list(domain.variables)} "
            f"(the first: {tuple(float(v) for v in inputs[first])})"
        )
    origin = {"path": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "rows": len(inputs), "dropped_nan_rows": dropped}
    return Reference(inputs, values, None, tuple(unknowns), origin)


def read_table(path: Path, unknowns: Sequence[str]) -> Table:
    """The columns of ``path``, read by the reader of its suffix (``.gz`` aside), the ``unknowns``
    among its outputs. Raises :class:`DataFileError` naming the file."""
    raw = _read_bytes(path)
    suffix = path.suffix if path.suffix != ".gz" else Path(path.stem).suffix
    if suffix not in READERS:
        raise DataFileError(f"{path}: cannot tell its format from the suffix {suffix or '(none)'}; known: {sorted(READERS)} (.gz too)")
    try:
        return READERS[suffix]().read(raw, unknowns)
    except DataFileError as error:
        raise DataFileError(f"{path}: {error}") from None
    except (ValueError, OSError, KeyError) as error:
        raise DataFileError(f"{path}: cannot be read as {suffix} ({error})") from None


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if path.suffix == ".gz" else raw
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataFileError(f"{path}: cannot be read ({error})") from None


def _points(path: Path, table: Table, domain: Geometry, unknowns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (rows, d) in the domain's variable order and values (rows, m), time blocks unrolled."""
    spatial = [domain.variables[i] for i in domain.spatial]
    coordinates = dict(table.coordinates)
    by_name = all(name in coordinates for name in spatial)
    if not by_name:  # COMSOL names its axes X, Y whatever the problem calls them: take them in order
        if len(coordinates) != len(spatial):
            raise DataFileError(
                f"{path}: {len(coordinates)} coordinate columns {list(coordinates)}, and the problem has {len(spatial)} "
                f"spatial variables {spatial}"
            )
        coordinates = dict(zip(spatial, coordinates.values()))
    time = domain.time
    missing_outputs = [name for name in unknowns if name not in table.outputs]
    if missing_outputs:
        raise DataFileError(f"{path}: no column for {missing_outputs}; it has {sorted([*table.coordinates, *table.outputs])}")
    if table.times is None:
        if time is not None and time not in coordinates:
            raise DataFileError(f"{path}: no column {time!r} and no time blocks, for a problem in {list(domain.variables)}")
        inputs = np.stack([coordinates[name] for name in domain.variables], axis=1)
        return inputs, np.stack([table.outputs[name] for name in unknowns], axis=1)
    if time is None:
        raise DataFileError(f"{path}: it holds time blocks, and the problem {list(domain.variables)} has no time")
    nodes, count = len(next(iter(coordinates.values()))), len(table.times)
    # unrolled time-major: every node at the first time, then at the second, ...
    columns = {name: np.tile(coordinates[name], count) for name in spatial}
    columns[time] = np.repeat(table.times, nodes)
    inputs = np.stack([columns[name] for name in domain.variables], axis=1)
    values = np.stack([table.outputs[name].T.reshape(-1) for name in unknowns], axis=1)
    return inputs, values


class DataReference:
    """For a problem dataclass with a ``data`` field (a path): its reference is that file's, read
    by :func:`read_reference` (a ``.gz`` beside a missing plain file is taken instead), and a
    missing file is refused when the problem is configured. ``source_hint`` says where to get it."""

    data: str
    source_hint: ClassVar[str] = ""

    @property
    def data_path(self) -> Path:
        path = Path(self.data).expanduser()
        gzipped = path.with_name(path.name + ".gz")
        return gzipped if not path.exists() and gzipped.is_file() else path

    def check_data(self) -> None:
        """A ValueError if the data file is missing (its content is read, and checked, with the reference)."""
        if not self.data_path.is_file():
            hint = f"; {self.source_hint}" if self.source_hint else ""
            raise ValueError(f"data: {self.data} is not a file (nor {self.data}.gz){hint}")

    @property
    def reference_size(self) -> int | None:
        return None

    def reference(self) -> Reference:
        return read_reference(self.data_path, self.domain, self.unknowns)  # type: ignore[attr-defined]


# where PINNacle's files come from, for the message that a data file is missing
PINNACLE_SOURCE = "PINNacle's reference files are in its repository (i207M/PINNacle on GitHub), folder ref/"
