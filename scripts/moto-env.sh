#!/usr/bin/env bash
# Creates (once) the Python virtualenv that holds the AWS protocol peer used by the tests: moto's server,
# pinned to the version whose behaviour the tests and DESIGN.md were written against, plus boto3 (pulled by
# moto) and the awsCLI v1 used by scripts/aws-cli-snapshot.sh. Idempotent and a fast no-op when the venv
# already works. The venv's python path is printed on stdout as the last line.
#
#   EDGETOP_MOTO_VENV   venv directory (default ~/.cache/edgetop/moto-venv-5.2.5)
set -euo pipefail

MOTO_VERSION=5.2.5
VENV="${EDGETOP_MOTO_VENV:-$HOME/.cache/edgetop/moto-venv-$MOTO_VERSION}"
PY="$VENV/bin/python"
STAMP="$VENV/.edgetop-ready"

healthy() {
  [ -x "$PY" ] && [ -f "$STAMP" ] &&
    "$PY" -c "import moto, boto3, werkzeug, flask, awscli; assert moto.__version__ == '$MOTO_VERSION'" >/dev/null 2>&1 &&
    [ -x "$VENV/bin/aws" ]
}

if healthy; then
  echo "$PY"
  exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

PYTHON3="${PYTHON3:-python3}"
if ! command -v "$PYTHON3" >/dev/null 2>&1; then
  echo "moto-env.sh: installing python3" >&2
  as_root apt-get update -qq >&2
  as_root apt-get install -y -qq python3 >&2
fi

echo "moto-env.sh: creating $VENV (moto[server]==$MOTO_VERSION)" >&2
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
if ! "$PYTHON3" -m venv "$VENV" >&2 2>/dev/null; then
  rm -rf "$VENV"
  echo "moto-env.sh: python3 -m venv failed; installing python3-venv" >&2
  as_root apt-get update -qq >&2
  pyver="$("$PYTHON3" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  as_root apt-get install -y -qq python3-venv >&2 || true
  as_root apt-get install -y -qq "python$pyver-venv" >&2 || true
  "$PYTHON3" -m venv "$VENV" >&2
fi

"$PY" -m pip install -q --disable-pip-version-check --upgrade pip >&2 || true
# moto pulls boto3/botocore; awscli (v1) is installed alongside so that it shares one botocore with boto3.
"$PY" -m pip install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" awscli >&2

touch "$STAMP"
if ! healthy; then
  echo "moto-env.sh: the venv at $VENV does not work after installation" >&2
  exit 1
fi
echo "$PY"
