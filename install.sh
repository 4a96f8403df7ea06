#!/usr/bin/env bash
# Install pyctl for this user: Bun (from npm, if missing), dependencies, the pyctl binary in
# ~/.local/bin, the venv for your default python3 (`pyctl init`), and the shell hook + completions.
#
#   ./install.sh              install and set up (idempotent: run it again to update)
#   ./install.sh --uninstall  remove the hook blocks, completions, the binary and pyctl's cache
#                             (keeps your packages)
#   ./install.sh --system     (root) install for all users, with the root-locked system tier
set -euo pipefail
cd "$(dirname "$0")"
repo=$(pwd)
bindir=${PYCTL_BIN_DIR:-$HOME/.local/bin}

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
  --system) exec bash "$repo/scripts/install-system.sh" ;;
  --uninstall)
    if [ -x "$bindir/pyctl" ]; then "$bindir/pyctl" setup-shell --remove || true; fi
    rm -f "$bindir/pyctl"
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/pyctl
    if [ -d "$cache" ]; then
      rm -rf "$cache"
      say "removed $cache (the rendered hook and venv seeds)"
    fi
    say "removed pyctl; your packages stay in ${PYCTL_HOME:-$HOME/.local/python-packages} (delete it to remove them)"
    exit 0 ;;
  "") ;;
  *) die "unknown option $1 (use --system or --uninstall)" ;;
esac

command -v python3 >/dev/null || die "python3 is missing: install it (Debian: apt install python3 python3-venv)"
python3 -c 'import venv, ensurepip' 2>/dev/null \
  || die "python3 cannot create venvs: install Debian's python3-venv package (sudo apt install python3-venv)"

original_path=$PATH
export PATH="$bindir:$PATH"
if ! command -v bun >/dev/null; then
  command -v npm >/dev/null || die "neither bun nor npm found: install npm (apt install npm)"
  say "installing Bun from npm"
  if [ "$(id -u)" -eq 0 ]; then npm install -g bun >/dev/null; else npm install -g --prefix "$HOME/.local" bun >/dev/null; fi
fi

say "installing dependencies"
bun install --frozen-lockfile >/dev/null

say "building $bindir/pyctl"
mkdir -p "$bindir"
bun scripts/build.ts "$bindir/pyctl"
# A copy from the release archive said so here; this one is built from source (`pyctl --version`).
rm -f "$bindir/../share/pyctl/installed-by"

"$bindir/pyctl" init
hooked=
# setup-shell's last line says how to load the hook in bash's words, by a `pyctl` not yet on PATH
# here: the line at the end says it for the user's own shell instead (pipefail keeps its status).
if "$bindir/pyctl" help setup-shell >/dev/null 2>&1 \
  && "$bindir/pyctl" setup-shell | sed '/^Open a new shell/d'; then hooked=1; fi

# The rc blocks put $bindir on PATH in new shells; without them the user has to.
if [ -z "$hooked" ]; then
  case ":$original_path:" in *":$bindir:"*) ;; *) say "note: add $bindir to your PATH" ;; esac
fi
# How to load it in the shell that ran this installer: the user's own shell, not this bash.
case "${SHELL##*/}" in
  bash) here="source ~/.bashrc" ;;
  zsh) here="source ${ZDOTDIR:-~}/.zshrc" ;;
  fish) here="source ${XDG_CONFIG_HOME:-~/.config}/fish/config.fish" ;;
  *) here= ;;
esac
if [ -n "$hooked" ] && [ -n "$here" ]; then
  say "done. Open a new shell (or, in this one: $here), then: pip install <package>; pyctl history"
else
  say "done. Open a new shell, then: pip install <package>; pyctl history"
fi
