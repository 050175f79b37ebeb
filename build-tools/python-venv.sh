#!/usr/bin/env bash
# Makes .tmp/venv, the Python environment of test:python and lint:cfn, with the tools
# test/python/requirements.txt pins, and the packages beneath them at the versions of
# test/python/constraints.txt (from PyPI; pip skips what is already there), and prints its path.
#
#   venv="$(bash build-tools/python-venv.sh [more requirements...])"
set -euo pipefail
cd "$(dirname "$0")/.."

# -c test/python/constraints.txt where its pins fit this Python: they are made with one
# version (the file says which), and some of them need it (a newer one may need others)
constraints() {
  local made here
  made="$(sed -n 's/^# python \([0-9.]*\)$/\1/p' test/python/constraints.txt)"
  here="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  if [ "$made" = "$here" ]; then
    echo "-c test/python/constraints.txt"
  else
    echo "test/python/constraints.txt is made for Python $made, this is $here: installing without it (versions beneath the pins may differ)" >&2
  fi
}

venv=.tmp/venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r test/python/requirements.txt $(constraints) "$@" >&2
echo "$venv"
