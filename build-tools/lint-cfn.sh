#!/usr/bin/env bash
# lint:cfn: cfn-lint (pinned in test/python/requirements.txt, from PyPI) on every template the
# project synthesizes: the sample app (sample/cdk.out, `npm run sample` first), the integ
# snapshots, and the templates of the unit tests (.tmp/unit-assemblies, which `npx projen
# test` fills with the apps that validate their templates; not those of test/util.test.ts,
# which feeds the test helpers templates that are wrong on purpose). Findings it ignores,
# and why, are in .cfnlintrc.yaml. Arguments go to cfn-lint.
set -euo pipefail
cd "$(dirname "$0")/.."

shopt -s nullglob
templates=(sample/cdk.out/*.template.json integ/*.snapshot/*.template.json)
[ "${#templates[@]}" -gt 5 ] || { echo "no sample templates: run npm run sample first" >&2; exit 1; }
unit=()
for template in .tmp/unit-assemblies/*/*.template.json; do
  case "$template" in .tmp/unit-assemblies/util-*) ;; *) unit+=("$template") ;; esac
done
if [ "${#unit[@]}" -eq 0 ]; then
  # in CI (test:all) the unit tests ran just before: no templates means they were not kept
  [ -z "${CI:-}" ] || { echo "no unit test templates in .tmp/unit-assemblies: test:unit must run with CFB_TEST_OUTDIR" >&2; exit 1; }
  echo "no unit test templates in .tmp/unit-assemblies: run npx projen test:unit first to lint them too"
fi

venv="$(bash build-tools/python-venv.sh)"
echo "cfn-lint $("$venv/bin/cfn-lint" --version | cut -d' ' -f2) on ${#templates[@]} sample and integ templates and ${#unit[@]} unit test templates"
# two processes (the machines have two cores); cfn-lint exits non-zero on any error or
# warning it does not ignore, and so does xargs then
printf '%s\0' "${templates[@]}" "${unit[@]}" \
  | xargs -0 -P 2 -n 40 "$venv/bin/cfn-lint" --config-file .cfnlintrc.yaml "$@" --
echo "cfn-lint: no error or warning left"
