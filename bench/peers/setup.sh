#!/usr/bin/env bash
# Creates bench/.venv-peers: this package (editable) plus the peers from requirements.txt, apart from the project's
# venv so that the peers' dependencies never leak into it. Rerun it to update; `bench/run.py` calls it when missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/bench/.venv-peers"
python="${PYTHON:-python3}"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
echo '*' > "$venv/.gitignore"  # keep the venv out of git, as newer `python -m venv` does by itself
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e "$root" -r "$here/requirements.txt" -r "$here/openlit-deps.txt"
"$venv/bin/python" -m pip install --quiet --no-deps -r "$here/openlit.txt"
"$venv/bin/python" -m pip freeze > "$venv/freeze.txt"
