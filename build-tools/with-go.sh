#!/usr/bin/env bash
# Runs its arguments with Go on PATH, at least the version test/go/go.mod names: the Go
# bindings (jsii-pacmak builds them with `go build`) and their test need it. A machine
# without it (Debian's golang-go is older) gets Go GO_VERSION from the Go module proxy, the
# toolchain module `go` itself downloads (golang.org/toolchain), checked against the SHA-256
# below and unpacked into .tmp/go-<version>; later runs reuse it.
#
#   bash build-tools/with-go.sh go test ./...
set -euo pipefail

GO_VERSION=1.26.8
declare -A SHA256=(
  [amd64]=30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7
  [arm64]=02b36b6787b3ac767668f630e2998df45a3b1f9ffee08d1bf3ef6487cd658d99
)
root="$(cd "$(dirname "$0")/.." && pwd)"
needed="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$root/test/go/go.mod")"

recent_enough() {
  local have
  have="$(go env GOVERSION 2>/dev/null | sed 's/^go//')" || return 1
  [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$needed" "$have" | sort -V | head -n1)" = "$needed" ]
}

if ! command -v go >/dev/null 2>&1 || ! recent_enough; then
  dir="$root/.tmp/go-$GO_VERSION"
  if [ ! -x "$dir/bin/go" ]; then
    case "$(uname -m)" in
      x86_64) arch=amd64 ;;
      aarch64 | arm64) arch=arm64 ;;
      *) echo "with-go.sh: no Go toolchain pinned for $(uname -m)" >&2; exit 1 ;;
    esac
    echo "Go $needed or later is not on PATH: fetching Go $GO_VERSION (linux-$arch) from the Go module proxy" >&2
    python3 - "$GO_VERSION" "$arch" "${SHA256[$arch]}" "$dir" <<'PY'
import hashlib, io, os, shutil, sys, urllib.request, zipfile
version, arch, sha256, target = sys.argv[1:]
url = f"https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go{version}.linux-{arch}.zip"
data = urllib.request.urlopen(url, timeout=600).read()
if hashlib.sha256(data).hexdigest() != sha256:
    sys.exit(f"with-go.sh: {url} does not have the pinned SHA-256 {sha256}")
prefix = f"golang.org/toolchain@v0.0.1-go{version}.linux-{arch}/"
partial = target + ".partial"
shutil.rmtree(partial, ignore_errors=True)
with zipfile.ZipFile(io.BytesIO(data)) as archive:
    for entry in archive.infolist():
        if not entry.filename.startswith(prefix) or entry.is_dir():
            continue
        path = os.path.join(partial, entry.filename[len(prefix):])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with archive.open(entry) as source, open(path, "wb") as out:
            shutil.copyfileobj(source, out)
        # the module zip keeps the Unix mode in the upper bits (bin/go, pkg/tool/*)
        mode = (entry.external_attr >> 16) & 0o777
        os.chmod(path, mode or 0o644)
shutil.rmtree(target, ignore_errors=True)
os.rename(partial, target)
PY
  fi
  export PATH="$dir/bin:$PATH"
  recent_enough || { echo "with-go.sh: $dir/bin/go is not Go $needed or later" >&2; exit 1; }
fi
exec "$@"
