#!/usr/bin/env bash
# Installs Debian's chromium package for the browser tests. Playwright's own browser
# download is never used: this machine cannot reach it, and the distribution's
# build is the one we test against.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "The browser tests need Debian's chromium: run 'apt-get install chromium' as root," >&2
  echo "or set CHROMIUM_PATH to a Chromium binary." >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
