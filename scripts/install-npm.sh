#!/usr/bin/env bash
# Installs Debian's npm when it is missing: the accessibility tests need axe-core, which
# `npm ci` installs from the lock file (nothing is downloaded while the tests run).
set -euo pipefail
if command -v npm >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "The accessibility tests need npm: run 'apt-get install npm' as root." >&2
  exit 1
fi
echo "Installing Debian's npm for the accessibility tests..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
