"""Reference files: COMSOL text exports (steady and time-dependent, plain and gzipped), CSV and .npz,
several unknowns per row; NaN rows dropped; every bad file refused with one line naming it."""
import gzip
import hashlib
import logging

import numpy as np
import pytest

from conftest import pinnsolve_in_process
from pinnsolve.geometry import Box
from pinnsolve.readers import DataFileError, read_reference

SQUARE = Box.unit_cube(2)
SQUARE_IN_TIME = Box(("x", "y", "t"), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), time="t")

STEADY = """% Model:              cavity.mph
% Version:            COMSOL 6.0.0.354
% Nodes:              3
% Description:        velocity, pressure
% x                       y                        u @ Re=100               v @ Re=100               p @ Re=100
0                         0                        0                        0                        0
0.5                       1                        1                        0                        -3.0013282588553434E-6
0.25                      0.75                     0.125                    -0.5                     NaN
"""

TIMED = """% Model:              heat.mph
% Nodes:              2
% X                       Y                        u (K) @ t=0              u (K) @ t=0.5            u (K) @ t=1
0.25                      0.5                      1                        2                        3
0.75                      0.5                      4                        5                        6
"""


def test_a_steady_comsol_export_several_unknowns_a_nan_row_dropped_and_the_checksum(tmp_path, caplog):
    path = tmp_path / "cavity.dat"
    path.write_text(STEADY)
    with caplog.at_level(logging.INFO, logger="pinnsolve.readers"):
        reference = read_reference(path, SQUARE, ("u", "v", "p"))
    np.testing.assert_array_equal(reference.inputs, [[0, 0], [0.5, 1]])
    np.testing.assert_array_equal(reference.values, [[0, 0, 0], [1, 0, -3.0013282588553434e-6]])
    assert reference.unknowns == ("u", "v", "p") and reference.shape is None
    assert reference.origin == {"path": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "rows": 2,
                                "dropped_nan_rows": 1}
    assert "dropped 1 of 3 rows holding NaN" in caplog.text


def test_a_time_dependent_export_is_unrolled_into_rows_and_gzip_is_read_as_is(tmp_path):
    path = tmp_path / "heat.dat.gz"
    path.write_bytes(gzip.compress(TIMED.encode()))
    reference = read_reference(path, SQUARE_IN_TIME, ("u",))
    np.testing.assert_array_equal(reference.inputs, [[0.25, 0.5, 0], [0.75, 0.5, 0], [0.25, 0.5, 0.5], [0.75, 0.5, 0.5],
                                                     [0.25, 0.5, 1], [0.75, 0.5, 1]])
    np.testing.assert_array_equal(reference.u, [1, 4, 2, 5, 3, 6])
    assert reference.origin["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()  # of the file as stored


def test_csv_with_a_byte_order_mark_and_npz(tmp_path):
    csv = tmp_path / "ref.csv"
    csv.write_bytes("\ufeffx,y,t,u\n0.5,0.5,0,1.5\n0.25,0.75,1,-2\n".encode())
    reference = read_reference(csv, SQUARE_IN_TIME, ("u",))
    np.testing.assert_array_equal(reference.inputs, [[0.5, 0.5, 0], [0.25, 0.75, 1]])
    np.testing.assert_array_equal(reference.u, [1.5, -2])
    npz = tmp_path / "ref.npz"
    np.savez(npz, x=[0.1, 0.2], y=[0.3, 0.4], u=[1.0, 2.0], a=[3.0, 4.0])
    reference = read_reference(npz, SQUARE, ("u", "a"))
    np.testing.assert_array_equal(reference.values, [[1, 3], [2, 4]])


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.dat", None, r"missing.dat: no such file"),
    ("short.csv", "x,y,u\n0.5,0.5,1\n0.5,0.5\n", r"short.csv: data row 2 has 2 values, the header names 3 columns"),
    ("words.csv", "x,y,u\n0.5,0.5,one\n", r"words.csv: data row 1 holds a value that is not a real number: '0.5,0.5,one'"),
    ("empty.csv", "x,y,u\n", r"empty.csv: no row without NaN"),
    ("nan.csv", "x,y,u\n0.5,0.5,nan\n", r"nan.csv: no row without NaN"),
    ("columns.csv", "x,y,w\n0.5,0.5,1\n", r"columns.csv: no column for \['u'\]; it has \['w', 'x', 'y'\]"),
    ("outside.csv", "x,y,u\n0.5,1.5,1\n", r"outside.csv: 1 points lie outside the domain \[0, 1\] × \[0, 1\] of \['x', 'y'\] "
                                          r"\(the first: \(0.5, 1.5\)\)"),
    ("bad.dat.gz", b"not gzip", r"bad.dat.gz: cannot be read"),
    ("noheader.dat", "0 0 1\n", r"noheader.dat: no header line \(COMSOL's start with %\) names the columns"),
    ("table.xlsx", "x", r"table.xlsx: cannot tell its format from the suffix .xlsx"),
])
def test_a_bad_file_is_one_line_naming_it(tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(DataFileError, match=message):
        read_reference(path, SQUARE, ("u",))


def test_complex_arrays_in_npz_are_refused(tmp_path):
    path = tmp_path / "c.npz"
    np.savez(path, x=[0.1], y=[0.1], u=np.array([1 + 2j]))
    with pytest.raises(DataFileError, match=r"array 'u' must be 1-D and real, got complex128"):
        read_reference(path, SQUARE, ("u",))


def test_the_command_refuses_a_missing_or_bad_data_file_with_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    run_dir = tmp_path / "run"
    code, err = pinnsolve_in_process(["problem=ns2d_c", f"problem.data={tmp_path}/none.dat", f"hydra.run.dir={run_dir}"],
                                     monkeypatch, capsys)
    assert code == 2 and not run_dir.exists()
    assert err.strip().splitlines() == [
        f"pinnsolve: invalid configuration: problem (ns2d_c): data: {tmp_path}/none.dat is not a file (nor {tmp_path}/none.dat.gz); "
        "PINNacle's reference files are in its repository (i207M/PINNacle on GitHub), folder ref/"
    ]
    (tmp_path / "bad.dat").write_text(STEADY.replace("p @ Re=100", "q @ Re=100"))
    code, err = pinnsolve_in_process(["problem=ns2d_c", f"problem.data={tmp_path}/bad.dat", f"hydra.run.dir={run_dir}",
                                      "trainer.progress_bar=false"], monkeypatch, capsys)
    assert code == 2 and not (run_dir / "metrics.json").exists()
    assert err.strip().splitlines()[-1].startswith(f"pinnsolve: invalid configuration: problem.data: {tmp_path}/bad.dat: no column for ['p']")
