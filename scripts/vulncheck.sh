#!/usr/bin/env bash
# vulncheck.sh: govulncheck with a vulnerability database built here, for
# machines that cannot reach vuln.go.dev. The Go vulnerability database is
# also published as a Go module (golang.org/x/vulndb, its data/osv
# directory); the module proxy serves it, and its own indexdb command turns
# it into the layout govulncheck reads (-db file://…). The database is as
# new as the module version named below: move VULNDB forward to see newer
# reports. Exits as govulncheck does: non-zero when the code calls
# something vulnerable.
set -euo pipefail
VULNDB=${VULNDB:-v0.0.0-20261105234957-e22db6528018}
GOVULNCHECK=${GOVULNCHECK:-v1.10.0}
out=${VULNDB_DIR:-${TMPDIR:-/tmp}/kindred-vulndb-$VULNDB}
root=$(cd "$(dirname "$0")/.." && pwd)
# govulncheck loads packages by running "go list" with GO111MODULE=off, where
# GOTOOLCHAIN is not obeyed: put the selected toolchain's go first on the PATH
# so the standard library is read at the version kindred builds with.
PATH="$(go env GOROOT)/bin:$PATH"

if [ ! -f "$out/index/db.json" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && go mod init vulndb-index >/dev/null 2>&1 &&
    go get "golang.org/x/vulndb/cmd/indexdb@$VULNDB" >/dev/null 2>&1)
  src=$(cd "$work" && go list -m -f '{{.Dir}}' golang.org/x/vulndb)
  rm -rf "$out.tmp"
  (cd "$work" && go run golang.org/x/vulndb/cmd/indexdb -vulns "$src/data/osv" -out "$out.tmp")
  mv "$out.tmp" "$out"
fi
echo "vulncheck: database golang.org/x/vulndb@$VULNDB ($(ls "$out/ID" | wc -l) reports) in $out" >&2
go install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK"
cd "$root"
"$(go env GOPATH)/bin/govulncheck" -db "file://$out" ./...
