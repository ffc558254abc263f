#!/usr/bin/env bash
# Installs the official MCP Python SDK (pinned, hashes checked: tests/mcp/requirements.txt)
# into target/mcp-venv, for the MCP client test (tests/mcp.rs runs tests/mcp/check_clients.py
# with it). Skips the install when the venv already holds exactly these requirements.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/mcp-venv
req=tests/mcp/requirements.txt
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "mcp-python: $venv is up to date"
    exit 0
fi
python3 -m venv --clear "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input --require-hashes -r "$req"
"$venv/bin/python" -c "import mcp, httpx2"
echo "$want" > "$stamp"
echo "mcp-python: installed $(grep -m1 -o "^mcp==[^ ]*" "$req") into $venv"
