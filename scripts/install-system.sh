#!/usr/bin/env bash
# `./install.sh --system` (as root): pyctl for every user of this machine.
#   1. the compiled pyctl in $PYCTL_PREFIX/bin (default /usr/local/bin), mode 755;
#   2. the hook for every user's bash, zsh and fish (`pyctl setup-shell --system`: /etc/bash.bashrc,
#      /etc/zsh/zshrc, /etc/fish/conf.d/pyctl.fish and system completion folders);
#   3. the root-locked system tier (`PYCTL_TIER=system pyctl init`): $PYCTL_SYSTEM_HOME
#      (default /opt/system-python)/pyXY/venv, owned by root, mode 755, writable by nobody else.
# Root's `pip install` then goes to the system tier, recorded in its own history; every other
# user's goes to their own venv, as before.
#
#   PYCTL_BINARY=FILE        install this already-built pyctl instead of building one
#   PYCTL_PYTHON=VER|PATH    the system tier's Python (default: the first python3 on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "--system installs pyctl for all users: run it as root (sudo ./install.sh --system)"
umask 022
prefix=${PYCTL_PREFIX:-/usr/local}
system_home=${PYCTL_SYSTEM_HOME:-/opt/system-python}
pyctl=$prefix/bin/pyctl
mkdir -p "$prefix/bin"

if [ -n "${PYCTL_BINARY-}" ]; then
    install -m 755 "$PYCTL_BINARY" "$pyctl.new"
else
    command -v python3 >/dev/null || die "python3 is missing: apt install python3 python3-venv"
    if ! command -v bun >/dev/null; then
        command -v npm >/dev/null || die "neither bun nor npm found: apt install npm"
        say "installing Bun from npm"
        npm install -g bun >/dev/null
    fi
    say "installing dependencies"
    bun install --frozen-lockfile >/dev/null
    say "building $pyctl"
    bun scripts/build.ts "$pyctl.new"
    chmod 755 "$pyctl.new"
fi
mv -f "$pyctl.new" "$pyctl"
say "installed $pyctl"

if "$pyctl" help setup-shell >/dev/null 2>&1; then
    "$pyctl" setup-shell --system
else
    say "note: this pyctl has no setup-shell yet; load the hook by hand in /etc/bash.bashrc: eval \"\$($pyctl hook bash)\""
fi

say "creating the system tier in $system_home"
PYCTL_TIER=system PYCTL_SYSTEM_HOME=$system_home "$pyctl" init ${PYCTL_PYTHON:+--python "$PYCTL_PYTHON"}
# Whatever root's umask was when parts of it were made: root's, and nobody else's to write.
chown -R root:root "$system_home"
chmod -R go-w "$system_home"
chmod 755 "$system_home"
say "done. Root's pip installs now go to $system_home, recorded (\`pyctl history\` as root shows them);"
say "every other user's go to their own venv. New shells of every user load the hook."
