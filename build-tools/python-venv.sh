#!/usr/bin/env bash
# Makes .tmp/venv, the Python environment of test:python and lint:cfn, with the tools
# test/python/requirements.txt pins, and the packages beneath them at the versions of
# test/python/constraints.txt (from PyPI; pip skips what is already there), and prints its path.
#
#   venv="$(bash build-tools/python-venv.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.tmp/venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r test/python/requirements.txt -c test/python/constraints.txt >&2
echo "$venv"
