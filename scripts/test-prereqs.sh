#!/usr/bin/env bash
# What the test suite needs beyond pyctl's own install: the three shells it drives, tmux for
# their ptys, shellcheck for the hooks, a C compiler and Python headers for the compiled-extension
# fixture (for the Python under test: PYCTL_TEST_PYTHON, else the first python3 on a plain PATH,
# as test/support/pythons.ts chooses). As root on Debian it installs what is missing; otherwise it
# says what to install.
set -euo pipefail
python=${PYCTL_TEST_PYTHON:-$(PATH=/usr/local/bin:/usr/bin:/bin command -v python3 || echo python3)}
packages=()
need() { command -v "$1" >/dev/null 2>&1 || packages+=("$2"); }
need zsh zsh
need fish fish
need tmux tmux
need shellcheck shellcheck
need gcc gcc
need git git
"$python" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null \
  || packages+=("$(basename "$(readlink -f "$python")")-dev")
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "test-prereqs: installing ${packages[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
else
  echo "test-prereqs: the tests need: sudo apt install ${packages[*]}" >&2
  exit 1
fi
