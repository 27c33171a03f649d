#!/usr/bin/env bash
# Installs the n8n CLI into a cache folder outside this package (re-used when present).
# Usage: tools/install-n8n.sh [version]   → prints the folder that holds node_modules/.bin/n8n
set -euo pipefail
VERSION="${1:-2.8.4}"
CACHE="${N8N_CLI_CACHE:-$HOME/.cache/n8n-nodes-openclinica}"
DIR="$CACHE/n8n-$VERSION"
if [ -x "$DIR/node_modules/.bin/n8n" ] && [ -f "$DIR/.installed" ]; then
	echo "$DIR"
	exit 0
fi
mkdir -p "$DIR"
cat > "$DIR/package.json" <<JSON
{
  "name": "n8n-cli-cache",
  "private": true,
  "allowScripts": { "sqlite3": true },
  "overrides": { "xlsx": "0.18.5" }
}
JSON
echo "Installing n8n $VERSION into $DIR (first run only: about 5 minutes, 2.3 GB)..." >&2
(cd "$DIR" && npm install --no-audit --no-fund --loglevel=error "n8n@$VERSION" >&2)
touch "$DIR/.installed"
echo "$DIR"
