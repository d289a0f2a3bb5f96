#!/usr/bin/env bash
# Packs what a machine with PyTorch but no network needs to run this repository's measurements
# there (a lent GPU machine, an offline cluster node), into one folder to copy over:
#   wheels/       pinnsolve's dependencies that a PyTorch image lacks (Hydra, OmegaConf, ANTLR's
#                 runtime), at the versions installed here, built as pure-Python wheels
#   repo.bundle   HEAD as a git bundle: cloned there, the benchmarks record the commit they ran
#   ref/          PINNacle's reference files (from DIR, when given)
#   run.sh        there: installs the wheels and the clone, then runs its argument in the clone
#
#   benchmarks/offline_pack.sh PACK [DIR]         # here, from the repository root, with the venv active
#   bash PACK/run.sh 'python3 benchmarks/pinnacle_setup.py ns2d_c --seeds 1 2 --data "$PACK/ref" --jobs 5'
#   bash PACK/run.sh 'PINNACLE_DATA=$PACK/ref python3 -m pytest -q -n 8 --ignore=tests/test_launchers.py
#       --ignore=tests/test_trackers.py --ignore=tests/test_install.py --deselect "tests/test_cli.py::test_every_experiment_composes_into_a_valid_config_and_sets_no_activation_values[tune/burgers]"'
#       (the suite less what needs the launchers, the trackers, Optuna or an index to install from:
#       in a venv holding only torch, numpy, scipy, matplotlib, tqdm, PyYAML and pytest, 823 tests
#       passed on 2 CPU cores at b57b0d8)
#
# run.sh installs into python3's own environment (meant for a machine lent for the session and
# started bare), pinnsolve editable so that pinnsolve.problems and pinnsolve.conf map to problems/
# and conf/ as here; then it runs its argument in the clone with PACK set. What the command writes
# stays in the clone: copy it out in the same command.
set -euo pipefail
pack=${1:?usage: benchmarks/offline_pack.sh PACK [PINNACLE_REF_DIR]}
ref=${2:-}
version() { python -c "import importlib.metadata as m; print(m.version('$1'))"; }

rm -rf "$pack" && mkdir -p "$pack/wheels" "$pack/ref"
python -m pip wheel --quiet --no-deps --wheel-dir "$pack/wheels" \
    "hydra-core==$(version hydra-core)" "omegaconf==$(version omegaconf)" \
    "antlr4-python3-runtime==$(version antlr4-python3-runtime)"
git bundle create "$pack/repo.bundle" HEAD 2>/dev/null
[ -z "$ref" ] || cp "$ref"/*.dat* "$pack/ref/"
cat > "$pack/run.sh" <<'RUN'
#!/usr/bin/env bash
set -euo pipefail
export PACK=$(cd "$(dirname "$0")" && pwd)
python3 -m pip install --quiet --no-index --no-deps "$PACK"/wheels/*.whl
work=$(mktemp -d)
git -c advice.detachedHead=false clone --quiet "$PACK/repo.bundle" "$work/pinnsolve"
cd "$work/pinnsolve"
python3 -m pip install --quiet --no-index --no-deps --no-build-isolation -e .
export PATH=$(dirname "$(python3 -c 'import sys; print(sys.executable)')"):$PATH
bash -c "$1"
RUN
chmod +x "$pack/run.sh"
du -sh "$pack"
