#!/usr/bin/env bash
# What the test suite needs beyond pyctl's own install: the three shells it drives, tmux for
# their ptys, shellcheck for the hooks, a C compiler and Python headers for the compiled-extension
# fixture. As root on Debian it installs what is missing; otherwise it says what to install.
set -euo pipefail
packages=()
need() { command -v "$1" >/dev/null 2>&1 || packages+=("$2"); }
need zsh zsh
need fish fish
need tmux tmux
need shellcheck shellcheck
need gcc gcc
need git git
python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null \
  || packages+=(python3-dev)
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "test-prereqs: installing ${packages[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
else
  echo "test-prereqs: the tests need: sudo apt install ${packages[*]}" >&2
  exit 1
fi
