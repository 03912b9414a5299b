#!/usr/bin/env bash
# Vendors the viewer behind GET /docs: Redoc's standalone bundle, from the npm package `redoc` at the
# version pinned below, into handlers/docsui/redoc/, which the binary embeds (go:embed), with Redoc's
# license and the license notices of what the bundle contains. VERSION records the package's npm
# integrity and the SHA-256 of each file as the package ships it and as vendored.
#
#   scripts/refresh-docsui.sh            # after changing REDOC_VERSION; then go test ./handlers, commit
#
# Why Redoc 2.x: one self-contained script (no fonts or scripts fetched from elsewhere, no "try it"
# console that sends requests, no telemetry); Redoc 3 reports usage to Redocly unless told not to, so
# it is not taken. One change is made to the bundle: the sidebar's "API docs by Redocly" link shows a
# logo that the bundle loads from Redocly's CDN, the only thing it fetches from elsewhere; the logo's
# URL is replaced by a transparent 1x1 image inlined as a data: URL (the link and its text stay).
# TestDocsBrowser (handlers/docsui_browser_test.go) checks in a real browser that the page renders
# with every request answered by the server itself.
set -euo pipefail
cd "$(dirname "$0")/.."

REDOC_VERSION=2.5.4
dest=handlers/docsui/redoc

command -v npm >/dev/null || { echo "refresh-docsui: needs npm (Debian: apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== npm pack redoc@$REDOC_VERSION"
(cd "$tmp" && npm pack --silent --json "redoc@$REDOC_VERSION" >pack.json)
tar -xzf "$tmp/redoc-$REDOC_VERSION.tgz" -C "$tmp"
pkg=$tmp/package
got=$(node -p "require('$pkg/package.json').version")
[ "$got" = "$REDOC_VERSION" ] || { echo "refresh-docsui: npm gave redoc $got, want $REDOC_VERSION" >&2; exit 1; }
integrity=$(node -p "require('$tmp/pack.json')[0].integrity")

# The standalone bundle inlines its search worker, whose notices are in the worker's LICENSE file.
files=(LICENSE bundles/redoc.standalone.js bundles/redoc.standalone.js.LICENSE.txt)
for f in "$pkg"/bundles/*.worker.js.LICENSE.txt; do files+=("bundles/$(basename "$f")"); done

names=$(printf '%s\n' "${files[@]##*/}" | sort)
shipped=$(cd "$pkg" && for f in "${files[@]}"; do (cd "$(dirname "$f")" && sha256sum -- "$(basename "$f")"); done | sort -k2)

logo='https://cdn.redoc.ly/redoc/logo-mini.svg'
blank='data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'
bundle=$pkg/bundles/redoc.standalone.js
n=$(grep -o "\"$logo\"" "$bundle" | wc -l)
[ "$n" = 1 ] || { echo "refresh-docsui: expected the logo URL $logo once in the bundle, found it $n times" >&2; exit 1; }
sed -i "s|\"$logo\"|\"$blank\"|" "$bundle"

rm -rf "$dest"
mkdir -p "$dest"
for f in "${files[@]}"; do cp "$pkg/$f" "$dest/"; done
{
  echo "redoc $REDOC_VERSION"
  echo "npm integrity $integrity"
  echo
  echo "As the package ships them:"
  echo "$shipped"
  echo
  echo "As vendored by scripts/refresh-docsui.sh (redoc.standalone.js: the sidebar's Redocly logo, loaded"
  echo "from $logo, replaced by a blank inline image):"
  (cd "$dest" && sha256sum -- $names)
} >"$dest/VERSION"

echo "== $dest"
cat "$dest/VERSION"
du -ch "$dest"/* | tail -1
