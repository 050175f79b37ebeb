#!/usr/bin/env bash
# Remakes test/python/constraints.txt: the version of every package beneath the top level
# (test/python/requirements.txt, from .projenrc.ts) that test:python and lint:cfn install,
# the wheel's own requirements included, so that they install the same versions on every
# machine. pip refuses a constraint that conflicts with a new top-level pin: run this then
# (after `npx projen bindings:build`, which makes the wheel).
#
#   bash build-tools/python-constraints.sh
set -euo pipefail
cd "$(dirname "$0")/.."

wheels=(dist/python/cdk_fargate_blueprints-*.whl)
[ -f "${wheels[0]}" ] || { echo "no wheel in dist/python: run npx projen bindings:build first" >&2; exit 1; }
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r test/python/requirements.txt "${wheels[0]}"
{
  echo "# Made by build-tools/python-constraints.sh (run it again when pip reports a conflict"
  echo "# with test/python/requirements.txt): the packages beneath the top-level pins, for"
  echo "# python $("$scratch/venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  "$scratch/venv/bin/python" -m pip list --format=freeze \
    | grep -viE '^(pip|setuptools|cdk-fargate-blueprints|aws-cdk-lib|constructs|pytest|cfn-lint)=='
} > test/python/constraints.txt
echo "test/python/constraints.txt: $(grep -vc '^#' test/python/constraints.txt) packages"
