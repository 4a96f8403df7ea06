#!/bin/sh
# pyctl's per-user installer: no root, no Bun, npm, git or compiler. It downloads the release
# archive for this machine, checks it against SHA256SUMS, installs pyctl into ~/.local/bin (its
# man page and hook snippets under ~/.local/share), runs `pyctl init` and `pyctl setup-shell`.
#
#   curl -fsSL https://github.com/pyctl/pyctl/releases/latest/download/install.sh | sh
#   sh install.sh [--base-url URL]    install, or upgrade when run again
#   sh install.sh --uninstall         remove the hook blocks, completions and program (keeps your packages)
#
#   PYCTL_RELEASE_URL   where the archives and SHA256SUMS are (what --base-url sets)
#   PYCTL_PREFIX        where to install (default ~/.local: bin/pyctl, share/pyctl, share/man)
set -eu

base=${PYCTL_RELEASE_URL:-https://github.com/pyctl/pyctl/releases/latest/download}
prefix=${PYCTL_PREFIX:-$HOME/.local}
action=install

say() { printf 'pyctl-install: %s\n' "$*"; }
die() { printf 'pyctl-install: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --base-url) [ $# -ge 2 ] || die "--base-url needs a URL"; base=$2; shift 2 ;;
        --base-url=*) base=${1#--base-url=}; shift ;;
        --uninstall) action=uninstall; shift ;;
        -h | --help) sed -n '2,12p' "$0" 2>/dev/null || :; exit 0 ;;
        *) die "unknown option $1 (use --base-url URL or --uninstall)" ;;
    esac
done
pyctl=$prefix/bin/pyctl

uninstall() {
    if [ -x "$pyctl" ]; then "$pyctl" setup-shell --remove || :; fi
    rm -f "$pyctl" "$prefix/share/man/man1/pyctl.1.gz"
    rm -rf "$prefix/share/pyctl" "$prefix/share/doc/pyctl" "${XDG_CACHE_HOME:-$HOME/.cache}/pyctl"
    say "removed pyctl; your packages stay in ${PYCTL_HOME:-$HOME/.local/python-packages} (delete it to remove them)"
}

fetch() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL "$1" -o "$2" || die "cannot download $1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1" || die "cannot download $1"
    else
        die "need curl or wget to download pyctl"
    fi
}

machine() {
    case $(uname -m) in
        x86_64 | amd64) echo x86_64 ;;
        aarch64 | arm64) echo aarch64 ;;
        *) die "no pyctl release for $(uname -m) (there are x86_64 and aarch64 ones)" ;;
    esac
}

# The archive's files into the prefix: the binary replaced by rename (a running pyctl keeps its
# file), the hook snippets with this prefix's paths put in.
place() {
    from=$1
    mkdir -p "$prefix/bin" "$prefix/share/pyctl" "$prefix/share/man/man1" "$prefix/share/doc/pyctl"
    cp "$from/bin/pyctl" "$pyctl.new"
    chmod 755 "$pyctl.new"
    mv -f "$pyctl.new" "$pyctl"
    for file in "$from"/share/pyctl/*; do
        sed -e "s|@PYCTL@|$pyctl|g" -e "s|@SHARE@|$prefix/share/pyctl|g" "$file" >"$prefix/share/pyctl/${file##*/}"
    done
    cp "$from/share/man/man1/pyctl.1.gz" "$prefix/share/man/man1/"
    cp "$from"/share/doc/pyctl/* "$prefix/share/doc/pyctl/"
}

# How to load the hook in the shell that ran this, in that shell's words: by absolute paths,
# since ~/.local/bin may not be on its PATH yet.
# shellcheck disable=SC2016 # $PATH and $(...) are for the user's shell to expand
load_hint() {
    dir=${pyctl%/*}
    case ${SHELL##*/} in
        fish) printf 'set -gx PATH %s $PATH; %s hook fish | source\n' "$dir" "$pyctl" ;;
        zsh) printf 'export PATH="%s:$PATH"; eval "$(%s hook zsh)"\n' "$dir" "$pyctl" ;;
        *) printf 'export PATH="%s:$PATH"; eval "$(%s hook bash)"\n' "$dir" "$pyctl" ;;
    esac
}

install() {
    command -v python3 >/dev/null 2>&1 || die "python3 is missing: ask your admin for Debian's python3 and python3-venv"
    python3 -c 'import venv, ensurepip' 2>/dev/null \
        || die "python3 cannot create venvs: ask your admin to install Debian's python3-venv package"
    arch=$(machine)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS"
    archive=$(sed -n "s/^[0-9a-f]\{64\}  \(pyctl-[^ ]*-linux-$arch\.tar\.gz\)$/\1/p" "$tmp/SHA256SUMS" | head -n 1)
    [ -n "$archive" ] || die "$base/SHA256SUMS names no archive for linux-$arch"
    say "downloading $archive"
    fetch "$base/$archive" "$tmp/$archive"
    (cd "$tmp" && grep "  $archive\$" SHA256SUMS | sha256sum -c --status -) \
        || die "$archive does not match its SHA256SUMS entry: not installed"
    tar -xzf "$tmp/$archive" -C "$tmp"
    was=
    if [ -x "$pyctl" ]; then was=$("$pyctl" --version 2>/dev/null || :); fi
    place "$tmp/${archive%.tar.gz}"
    say "installed $("$pyctl" --version) in $pyctl${was:+ (was: $was)}"
    if [ "$(command -v pyctl || :)" = /usr/bin/pyctl ]; then
        say "note: the Debian package's /usr/bin/pyctl is managed by apt; this separate copy comes first once $prefix/bin is on PATH"
    fi
    "$pyctl" init
    # setup-shell's last line says how to load the hook in bash's words, by a `pyctl` not on PATH
    # yet: load_hint below says it for this user's shell.
    shown=$("$pyctl" setup-shell)
    printf '%s\n' "$shown" | sed '/^Open a new shell/d'
    say "done. Open a new shell, or load pyctl in this one:"
    printf '\n    %s\n\n' "$(load_hint)"
    say "then: pip install <package>; pyctl history"
}

if [ "$action" = uninstall ]; then uninstall; else install; fi
