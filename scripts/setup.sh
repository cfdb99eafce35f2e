#!/usr/bin/env bash
# Create .venv (once) and install the assistant into it. Usage: scripts/setup.sh [EXTRAS]
# Installing is skipped when .venv already holds this pyproject.toml with these extras.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
hash="$(sha256sum pyproject.toml | cut -c1-16)"
stamp=".venv/.installed-$hash-${extras//,/-}"
if [ -x .venv/bin/assistant ] && { [ -f "$stamp" ] ||
    { [ -z "$extras" ] && compgen -G ".venv/.installed-$hash-*" >/dev/null; }; }; then
    exit 0  # installed already (the code itself is installed editable)
fi
python3 -m venv .venv 2>/dev/null || python3 -m venv --without-pip .venv
if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    .venv/bin/python -m ensurepip --upgrade >/dev/null
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ -n "$extras" ]; then
    # torch is pinned: an unpinned torch would pull a multi-GB CUDA build.
    .venv/bin/python -m pip install --quiet -e ".[$extras]"
else
    .venv/bin/python -m pip install --quiet -e .
fi
find .venv -maxdepth 1 -name '.installed-*' ! -name ".installed-$hash-*" -delete
touch "$stamp"
