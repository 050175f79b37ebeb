#!/usr/bin/env bash
# lint:cfn: cfn-lint (pinned in test/python/requirements.txt, from PyPI) on every template the
# project synthesizes for deployment: the sample app (sample/cdk.out, `npm run sample` first)
# and the integ snapshots. Not the unit tests' templates: their fixtures use made-up ids
# (vpc-12345) and fixed zones that cfn-lint rightly reports, for stacks nobody deploys.
# Findings it ignores, and why, are in .cfnlintrc.yaml. Arguments go to cfn-lint.
set -euo pipefail
cd "$(dirname "$0")/.."

shopt -s nullglob
templates=(sample/cdk.out/*.template.json integ/*.snapshot/*.template.json)
[ -n "$(ls sample/cdk.out/*.template.json 2>/dev/null)" ] || { echo "no sample templates: run npm run sample first" >&2; exit 1; }

venv="$(bash build-tools/python-venv.sh)"
echo "cfn-lint $("$venv/bin/cfn-lint" --version | cut -d' ' -f2) on ${#templates[@]} templates"
# cfn-lint exits non-zero on any error or warning it does not ignore
"$venv/bin/cfn-lint" --config-file .cfnlintrc.yaml "$@" -- "${templates[@]}"
echo "cfn-lint: no error or warning left"
