#!/usr/bin/env bash
# test:python: installs the wheel jsii-pacmak built (dist/python, `npx projen bindings:build`)
# into .tmp/venv beside aws-cdk-lib, constructs and pytest from PyPI, and runs test/python,
# the way a Python user's project installs and tests the library. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

wheels=(dist/python/cdk_fargate_blueprints-*.whl)
[ -f "${wheels[0]}" ] || { echo "no wheel in dist/python: run npx projen bindings:build first" >&2; exit 1; }

# the wheel with its own requirements (aws-cdk-lib, constructs, jsii, publication, typeguard),
# under the same constraints
venv="$(bash build-tools/python-venv.sh "${wheels[0]}")"
# the wheel's version stays 0.0.0 between releases: reinstall it every time
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "${wheels[0]}"
"$venv/bin/python" -m pip check
"$venv/bin/python" -m pip list --format=freeze | grep -iE '^(aws-cdk-lib|constructs|jsii|pytest|cdk-fargate-blueprints)=='
exec "$venv/bin/python" -m pytest test/python "$@"
