#!/usr/bin/env bash
# API compatibility of the package in the current directory with its latest release on
# npm, with jsii-diff: a change that breaks the published API (in any language) fails,
# unless .compatignore lists its key, each key below a `# reason` comment line.
#
#   bash build-tools/compat.sh        (npx projen compat; test:all runs it)
#
# The whole library is experimental, and jsii-diff reports breaking changes to
# experimental APIs as warnings only: `--error-on all` makes them errors. Before the
# first release the registry answers 404: there is nothing to compare with, and the
# check passes saying so. Any other registry failure fails the check (jsii-diff alone
# would take it for a missing package and pass).
set -euo pipefail

ignore_file=.compatignore
name="$(node -p "require('./package.json').name")"

# every key of .compatignore has its reason on a comment line above it (keys may share one)
if [ -f "$ignore_file" ]; then
  awk -v file="$ignore_file" '
    /^[ \t]*$/ { comment = 0; next }
    /^[ \t]*#/ { comment = 1; next }
    !comment { printf "%s:%d: %s has no reason: write it on a # comment line above the key\n", file, NR, $0; bad = 1 }
    END { exit bad }
  ' "$ignore_file"
fi

err="$(mktemp)"
trap 'rm -f "$err"' EXIT
if ! latest="$(npm view "$name@latest" version 2>"$err")"; then
  if grep -q E404 "$err"; then
    echo "compat: $name has no release on npm yet: nothing to compare with"
    exit 0
  fi
  cat "$err" >&2
  echo "compat: could not ask the npm registry for the latest release of $name" >&2
  exit 1
fi

echo "compat: comparing the API with $name@$latest"
jsii-diff "npm:$name@$latest" --keys --ignore-file "$ignore_file" --error-on all
