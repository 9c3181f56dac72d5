#!/usr/bin/env bash
# Reproduce src/clusterld/web/static/yasgui/ from the npm registry.
# Usage: scripts/vendor-yasgui.sh   (needs npm and tar; writes only that directory)
set -euo pipefail

PACKAGE="@zazuko/yasgui"
VERSION="4.6.2"
# sha512 integrity of the tarball as published on the npm registry (checked below).
INTEGRITY="sha512-Zw45KdPoAE1KRaAoxIHdQqeJxvaVG1oQdntw0hy0ktX35Zu8ZccuOLrXCLwR+GU+0xMzLw8Mjw6BkSZV2vUuQw=="

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$here/src/clusterld/web/static/yasgui"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
tarball="$(npm pack --silent "$PACKAGE@$VERSION")"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
[[ "$actual" == "$INTEGRITY" ]] || { echo "integrity mismatch: $actual" >&2; exit 1; }
tar xzf "$tarball"

mkdir -p "$dest"
# The UMD bundle carries all of YASGUI's dependencies (yasqe, yasr, codemirror, ...).
# Drop the source-map comment: the maps are not shipped.
sed -e 's|//# sourceMappingURL=[^ ]*$||' package/build/yasgui.min.js > "$dest/yasgui.min.js"
sed -e 's|/\*# sourceMappingURL=[^ ]* \*/||' package/build/yasgui.min.css > "$dest/yasgui.min.css"
cp package/package.json "$dest/package.json"
cat > "$dest/README.md" <<TXT
Vendored from the npm registry: $PACKAGE@$VERSION (MIT licence, see package.json).
Reproduce with \`scripts/vendor-yasgui.sh\`; do not edit these files by hand.
TXT
echo "vendored $PACKAGE@$VERSION into $dest"
ls -l "$dest"
