#!/usr/bin/env bash
# Installs from Debian/Ubuntu what `npm run test:all` runs besides Node.js: the one list
# of system packages, shared by `.ci/run` and the GitHub build and release workflows
# (.projenrc.ts writes the step that calls it), so the two cannot drift apart.
#
#   bash .ci/install-system-packages.sh
#
# - servers the WordPress image test runs the shipped configuration on: nginx, php-fpm
#   with MySQL, MariaDB, WordPress and its default theme, envsubst, and busybox (the
#   metrics sidecar's shell);
# - toolchains of the binding checks, only where they are missing (the GitHub workflows set
#   up Python 3.11, Java 17 and Go with their setup actions first): python3 (with venv), a
#   JDK 17 or later (javac: Debian's maven brings only a runtime, and the jar is compiled)
#   and mvn. Not Go: Debian 12's golang-go is 1.19, older than the Go bindings ask for;
#   build-tools/with-go.sh fetches Go from the Go module proxy where it is missing.
# Nothing is installed when everything is there; root, or sudo, otherwise.
set -euo pipefail

SERVER_PACKAGES=(nginx php-fpm php-mysql mariadb-server wordpress wordpress-theme-twentytwentythree gettext-base busybox)
# command=package: installed only when the command is not on PATH
TOOLCHAINS=(python3=python3 mvn=maven)

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi
}

missing=()
for package in "${SERVER_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
for entry in "${TOOLCHAINS[@]}"; do
  command -v "${entry%%=*}" >/dev/null 2>&1 || missing+=("${entry#*=}")
done
# a JDK of release 17 or later: `javac -version` prints "javac 17.0.15"
javac_release="$(javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p' || true)"
need_jdk=false
if [ -z "$javac_release" ] || [ "$javac_release" -lt 17 ]; then
  need_jdk=true
fi
# the first JDK of 17 or later the archive has: Debian 12 and Ubuntu 22.04/24.04 have 17,
# Debian 13 only 21 and 25 (default-jdk-headless is 11 on Ubuntu 22.04: not that)
jdk_package() {
  local package policy
  for package in openjdk-17-jdk-headless openjdk-21-jdk-headless openjdk-25-jdk-headless; do
    # read whole first: grep -q may stop reading early, and pipefail would count that
    policy="$(apt-cache policy "$package" 2>/dev/null || true)"
    if grep -q 'Candidate: [0-9]' <<<"$policy"; then
      echo "$package"
      return
    fi
  done
  echo "no OpenJDK 17, 21 or 25 in the package archive: install a JDK of 17 or later yourself" >&2
  return 1
}
# the Python tests make a virtual environment: Debian's python3 needs python3-venv for it
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi

if [ "${#missing[@]}" -gt 0 ] || [ "$need_jdk" = true ]; then
  as_root apt-get update -qq
  if [ "$need_jdk" = true ]; then
    missing+=("$(jdk_package)")
  fi
  echo "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "system packages: all present"
fi
