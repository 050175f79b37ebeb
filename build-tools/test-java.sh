#!/usr/bin/env bash
# test:java: installs the jar jsii-pacmak built (dist/java, `npx projen bindings:build`) into
# the local Maven repository and runs the JUnit tests of test/java against it, with
# aws-cdk-lib from Maven Central. Arguments go to Maven (for example -Dcdk.version=...).
#
# Installed every run: the jar's version stays 0.0.0 between releases, and Maven never
# fetches a release version again from a repository once it has it.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=dist/java/io/github/cdk-fargate-blueprints/cdk-fargate-blueprints
poms=("$dir"/*/cdk-fargate-blueprints-*.pom)
[ -f "${poms[0]}" ] || { echo "no jar in dist/java: run npx projen bindings:build first" >&2; exit 1; }
pom="${poms[0]}"
version="$(basename "$(dirname "$pom")")"

mvn --batch-mode --quiet install:install-file -Dfile="${pom%.pom}.jar" -DpomFile="$pom"
exec mvn --batch-mode --no-transfer-progress -f test/java/pom.xml test -Dblueprints.version="$version" "$@"
