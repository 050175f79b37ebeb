#!/usr/bin/env bash
# Makes aws-cdk-lib $1 resolvable for a Maven version range in the local repository
# (~/.m2/repository), before jsii-pacmak builds the jar.
#
# Why: the jar's pom asks for aws-cdk-lib in the peer range ([2.271.0,3.0.0)), and Maven
# resolves a range from each repository's maven-metadata.xml. Maven Central serves
# aws-cdk-lib 2.271.0 and 2.272.0 (their poms and jars answer 200) but its metadata still
# names 2.263.0 as the latest, so the range finds nothing: "No versions available for
# software.amazon.awscdk:aws-cdk-lib:jar:[2.271.0,3.0.0) within specified range".
# Fetched by its exact version (which needs no metadata) and installed locally, the
# release is listed in the local repository's metadata, which Maven reads too.
# Remove this step once Central's metadata lists a release within the range.
set -euo pipefail
version="${1:?usage: maven-aws-cdk-lib.sh <aws-cdk-lib version>}"
repo="$HOME/.m2/repository"
dir="$repo/software/amazon/awscdk/aws-cdk-lib/$version"
metadata="$repo/software/amazon/awscdk/aws-cdk-lib/maven-metadata-local.xml"

if grep -qs "<version>$version</version>" "$metadata"; then
  echo "aws-cdk-lib $version: already installed in the local Maven repository"
  exit 0
fi
mvn --batch-mode --no-transfer-progress --quiet dependency:get -Dartifact="software.amazon.awscdk:aws-cdk-lib:$version"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$dir/aws-cdk-lib-$version.jar" "$dir/aws-cdk-lib-$version.pom" "$tmp/"
mvn --batch-mode --no-transfer-progress --quiet install:install-file -Dfile="$tmp/aws-cdk-lib-$version.jar" -DpomFile="$tmp/aws-cdk-lib-$version.pom"
grep -q "<version>$version</version>" "$metadata" \
  || { echo "aws-cdk-lib $version is not in the local Maven metadata: the jar's version range would not resolve" >&2; exit 1; }
echo "aws-cdk-lib $version: installed in the local Maven repository for the jar's version range"
