#!/usr/bin/env bash
# Installs the npm packages a folder's package.json lists into FOLDER/.node, unless the installed
# versions already match. Used for the test tools (tests/interop: DuckDB as an independent reader).
#   scripts/install_node_tools.sh FOLDER
set -euo pipefail
folder="${1:?usage: install_node_tools.sh FOLDER}"
node_dir="$folder/.node"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "sluice: node and npm are needed for $folder (scripts/install_deps.sh test installs them)" >&2
  exit 1
fi
if [[ -f "$node_dir/package.json" && -d "$node_dir/node_modules" ]] &&
   cmp -s "$folder/package.json" "$node_dir/package.json"; then
  exit 0
fi
echo "sluice: installing the npm packages of $folder/package.json into $node_dir"
mkdir -p "$node_dir"
cp "$folder/package.json" "$node_dir/package.json"
npm install --prefix "$node_dir" --no-audit --no-fund --loglevel=error >&2
