# The body bash and zsh share (POSIX sh; zsh runs it under `emulate sh`): deciding where pip and
# python go. hooks/pyctl.bash and hooks/pyctl.zsh add the functions named pip, python, ...
# Replies come back in _pyctl_reply, so no helper needs a subshell.

# pip's value-taking global options and its read-only subcommands, from src/core/packages/pip-args.ts.
_pyctl_value_options=@VALUE_OPTIONS@
_pyctl_read_commands=@READ_COMMANDS@
# Files the prompt hook and the notice keep (in the cache folder, next to the rendered hook).
_pyctl_seen=${XDG_CACHE_HOME:-${HOME-}/.cache}/pyctl/bin-seen
_pyctl_notice_file=${XDG_CACHE_HOME:-${HOME-}/.cache}/pyctl/notice-shown

# The tier's root, resolved as src/core/base/paths.ts does (its defaults rendered in).
_pyctl_home() {
    _pyctl_reply=${PYCTL_HOME:-${HOME-}/@USER_ROOT@}
    case ${PYCTL_TIER-} in
        system) _pyctl_reply=${PYCTL_SYSTEM_HOME:-@SYSTEM_ROOT@} ;;
        user) ;;
        *)
            if [ "${EUID-}" = 0 ] && [ -e "${PYCTL_SYSTEM_HOME:-@SYSTEM_ROOT@}/config.toml" ]; then
                _pyctl_reply=${PYCTL_SYSTEM_HOME:-@SYSTEM_ROOT@}
            fi
            ;;
    esac
}

_pyctl_venv() {
    _pyctl_home
    _pyctl_reply=$_pyctl_reply/py${1%%.*}${1#*.}/venv
}

# pip and pip3 use the default version; pip3.12 uses 3.12 (likewise python).
_pyctl_version() {
    case $1 in
        pip | pip3 | python | python3) _pyctl_reply=$_pyctl_default ;;
        pip*) _pyctl_reply=${1#pip} ;;
        *) _pyctl_reply=${1#python} ;;
    esac
}

# True while a project venv (not one of pyctl's) or a conda env other than base is active;
# _pyctl_reply is then that environment's root.
_pyctl_project_env() {
    if [ -n "${VIRTUAL_ENV-}" ] && [ -f "$VIRTUAL_ENV/pyvenv.cfg" ]; then
        _pyctl_home
        case $VIRTUAL_ENV/ in
            "$_pyctl_reply"/*) ;;
            *)
                _pyctl_reply=$VIRTUAL_ENV
                return 0
                ;;
        esac
    fi
    if [ -n "${CONDA_PREFIX-}" ] && [ "${CONDA_DEFAULT_ENV:-base}" != base ] && [ -d "$CONDA_PREFIX/conda-meta" ]; then
        _pyctl_reply=$CONDA_PREFIX
        return 0
    fi
    return 1
}

# The base interpreter of version $1, from the facts pyctl found when it rendered this hook.
_pyctl_base() {
    _pyctl_reply=":$_pyctl_pythons:"
    case $_pyctl_reply in
        *":$1="*) ;;
        *) return 1 ;;
    esac
    _pyctl_reply=${_pyctl_reply#*":$1="}
    _pyctl_reply=${_pyctl_reply%%:*}
    [ -n "$_pyctl_reply" ]
}

# True for pip calls that cannot change the venv (list, show, --version, ...): these run the
# venv's pip directly, without starting pyctl. --user and PIP_USER go to pyctl, which drops them.
_pyctl_pip_reads() {
    [ -z "${PIP_USER-}" ] || return 1
    _pyctl_reply=
    while [ "$#" -gt 0 ]; do
        case $1 in
            --user) return 1 ;;
            -*)
                case $_pyctl_value_options in
                    *" $1 "*) if [ "$#" -gt 1 ]; then shift; fi ;;
                esac
                ;;
            *)
                if [ -z "$_pyctl_reply" ]; then _pyctl_reply=" $1 "; fi
                ;;
        esac
        shift
    done
    [ -n "$_pyctl_reply" ] || return 0
    case $_pyctl_read_commands in
        *"$_pyctl_reply"*) return 0 ;;
    esac
    return 1
}

# True when python's arguments run `-m pip` (also -mpip, -Im pip, after -X/-W options);
# _pyctl_reply is then how many arguments come before pip's own.
_pyctl_m_pip() {
    local count=0 arg flags
    while [ "$#" -gt 0 ]; do
        arg=$1
        shift
        count=$((count + 1))
        case $arg in
            --check-hash-based-pycs)
                if [ "$#" -gt 0 ]; then shift && count=$((count + 1)); fi
                continue
                ;;
            "" | - | --* | [!-]*) return 1 ;;
        esac
        flags=${arg#-}
        while [ -n "$flags" ]; do
            case $flags in
                c*) return 1 ;;
                m*)
                    flags=${flags#m}
                    if [ -z "$flags" ]; then
                        [ "$#" -gt 0 ] || return 1
                        flags=$1
                        count=$((count + 1))
                    fi
                    [ "$flags" = pip ] || return 1
                    _pyctl_reply=$count
                    return 0
                    ;;
                W | X)
                    if [ "$#" -gt 0 ]; then shift && count=$((count + 1)); fi
                    flags=
                    ;;
                W* | X*) flags= ;;
                *) flags=${flags#?} ;;
            esac
        done
    done
    return 1
}

# False, after one line saying so, when pyctl's binary is gone (uninstalled while this shell
# ran); a new shell does not load the hook then, and pip runs untouched there.
_pyctl_present() {
    [ -x "$_pyctl_bin" ] && return 0
    printf 'pyctl: %s is gone: open a new shell to run pip without pyctl\n' "$_pyctl_bin" >&2
    return 1
}

# A pip write ($1: the command as typed, $2: the version), recorded by pyctl. Then the shell
# forgets where it found commands, so new scripts run at once (in a pipeline this runs in a
# subshell: _pyctl_prompt catches that case at the next prompt).
_pyctl_pip_write() {
    local name=$1 version=$2 code=0
    shift 2
    _pyctl_present || return 127
    "$_pyctl_bin" pip --python "$version" --as "$name" -- "$@" || code=$?
    \builtin hash -r
    # The write may have made a venv for another version: its bin joins PATH now.
    _pyctl_set_path
    return "$code"
}

# The routing step pip and python share: for command $1, _pyctl_version_reply is its version and
# _pyctl_reply its venv; fails when the real command should run untouched (no version known, or
# a project env active).
_pyctl_route() {
    _pyctl_version "$1"
    _pyctl_version_reply=$_pyctl_reply
    if [ -z "$_pyctl_version_reply" ] || _pyctl_project_env; then return 1; fi
    _pyctl_venv "$_pyctl_version_reply"
}

# True when venv $1 exists but cannot run (its base interpreter is gone): pyctl has then said
# so in one line, naming the interpreter and the `pyctl rebuild` that helps ($2: its version).
_pyctl_broken() {
    [ -x "$1/bin/python" ] && return 1
    if _pyctl_present; then "$_pyctl_bin" explain-missing --python "$2" || :; fi
    return 0
}

_pyctl_pip() {
    local name=$1 version venv
    shift
    if ! _pyctl_route "$name"; then
        \command "$name" "$@"
        return
    fi
    version=$_pyctl_version_reply
    venv=$_pyctl_reply
    if [ -f "$venv/pyvenv.cfg" ] && _pyctl_pip_reads "$@"; then
        if _pyctl_broken "$venv" "$version"; then return 1; fi
        "$venv/bin/pip" "$@"
        return
    fi
    _pyctl_pip_write "$name" "$version" "$@"
}

# _pyctl_pip_reads for the arguments after the first $1 (python's own, before `-m pip`).
_pyctl_pip_reads_after() {
    shift "$(($1 + 1))"
    _pyctl_pip_reads "$@"
}

# `python -m pip …` for command $1, version $2, venv $3; $4 arguments precede pip's own.
_pyctl_python_pip() {
    local name=$1 version=$2 venv=$3 skip=$4
    shift 4
    if [ -f "$venv/pyvenv.cfg" ] && _pyctl_pip_reads_after "$skip" "$@"; then
        if _pyctl_broken "$venv" "$version"; then return 1; fi
        "$venv/bin/python" "$@"
        return
    fi
    shift "$skip"
    _pyctl_pip_write "$name -m pip" "$version" "$@"
}

_pyctl_python() {
    local name=$1 version venv
    shift
    if ! _pyctl_route "$name"; then
        \command "$name" "$@"
        return
    fi
    version=$_pyctl_version_reply
    venv=$_pyctl_reply
    if _pyctl_m_pip "$@"; then
        _pyctl_python_pip "$name" "$version" "$venv" "$_pyctl_reply" "$@"
    elif [ -f "$venv/pyvenv.cfg" ]; then
        if _pyctl_broken "$venv" "$version"; then return 1; fi
        "$venv/bin/python" "$@"
    elif [ "$name" != python ] && [ "$name" != python3 ] && _pyctl_base "$version"; then
        "$_pyctl_reply" "$@"
    else
        \command "$name" "$@"
    fi
}

# $1 with $2 in it exactly once: right after $3 when $3 is in it, else first. Empty entries
# (which mean the current folder) are kept.
_pyctl_path_with() {
    _pyctl_reply=":$1:"
    while :; do
        case $_pyctl_reply in
            *":$2:"*) _pyctl_reply=${_pyctl_reply%%":$2:"*}:${_pyctl_reply#*":$2:"} ;;
            *) break ;;
        esac
    done
    # (An empty $3 is no anchor, though PATH may hold an empty entry.)
    case $3:$_pyctl_reply in
        :*) _pyctl_reply=":$2$_pyctl_reply" ;;
        *":$3:"*) _pyctl_reply=${_pyctl_reply%%":$3:"*}":$3:$2:"${_pyctl_reply#*":$3:"} ;;
        *) _pyctl_reply=":$2$_pyctl_reply" ;;
    esac
    _pyctl_reply=${_pyctl_reply#:}
    _pyctl_reply=${_pyctl_reply%:}
}

# $1 with only the first $2 kept (the blocks in ~/.bashrc and ~/.profile may both add ~/.local/bin).
_pyctl_path_once() {
    local rest=":$1:" head
    case $rest in
        *":$2:"*) ;;
        *)
            _pyctl_reply=$1
            return 0
            ;;
    esac
    head=${rest%%":$2:"*}:$2:
    rest=:${rest#*":$2:"}
    while :; do
        case $rest in
            *":$2:"*) rest=${rest%%":$2:"*}:${rest#*":$2:"} ;;
            *) break ;;
        esac
    done
    _pyctl_reply=$head${rest#:}
    _pyctl_reply=${_pyctl_reply#:}
    _pyctl_reply=${_pyctl_reply%:}
}

# $1 with the default venv's bin right after $2 (first when $2 is empty), and right after it
# the bins of the other versions' venvs that exist, newest first: a script two versions share
# runs from the default's. (No variable named path: zsh ties that one to PATH.)
_pyctl_path_venvs() {
    local list first rest version
    _pyctl_venv "$_pyctl_default"
    first=$_pyctl_reply/bin
    _pyctl_path_with "$1" "$first" "$2"
    list=$_pyctl_reply
    # _pyctl_pythons lists oldest first: each one goes right after the default's bin.
    rest=$_pyctl_pythons
    while [ -n "$rest" ]; do
        version=${rest%%=*}
        rest=${rest#*=}
        case $rest in *:*) rest=${rest#*:} ;; *) rest= ;; esac
        [ "$version" != "$_pyctl_default" ] || continue
        _pyctl_venv "$version"
        if [ -d "$_pyctl_reply/bin" ]; then
            _pyctl_path_with "$list" "$_pyctl_reply/bin" "$first"
            list=$_pyctl_reply
        fi
    done
    _pyctl_reply=$list
}

# The venvs' bins go on PATH after an active project env's bin, before everything else;
# pyctl's own folder stays on it once. Login shells call this again from ~/.profile's block.
_pyctl_set_path() {
    local anchor=""
    [ -n "$_pyctl_default" ] || return 0
    if _pyctl_project_env; then anchor=$_pyctl_reply/bin; fi
    _pyctl_path_venvs "${PATH-}" "$anchor"
    _pyctl_path_once "$_pyctl_reply" "${_pyctl_bin%/*}"
    PATH=$_pyctl_reply
    # A venv activated before this hook restores its saved PATH on deactivate: fix that too.
    if [ -n "${_OLD_VIRTUAL_PATH-}" ]; then
        _pyctl_path_venvs "$_OLD_VIRTUAL_PATH" ""
        _OLD_VIRTUAL_PATH=$_pyctl_reply
    fi
}

# At each prompt: when the default venv's bin changed since the last look (a pip write in a
# pipeline's subshell, or in another terminal), forget cached command paths. The marker file is
# touched with a redirection, so this starts no process.
_pyctl_prompt() {
    _pyctl_venv "$_pyctl_default"
    # zsh's -nt is false while the marker is missing (bash's is true): test for it first.
    if [ ! -e "$_pyctl_seen" ] || [ "$_pyctl_reply/bin" -nt "$_pyctl_seen" ]; then
        \builtin hash -r
        : 2>/dev/null >"$_pyctl_seen" || :
    fi
}

# The notice pyctl decided on when it rendered this hook (a Python upgrade), shown on stderr at
# most once a day; _pyctl_now (per shell) gives the time without starting a process.
_pyctl_announce() {
    local last="" shown=""
    _pyctl_now
    if [ -r "$_pyctl_notice_file" ]; then
        { read -r last && read -r shown; } <"$_pyctl_notice_file" || :
    fi
    case $last in "" | *[!0-9]*) last=0 ;; esac
    if [ "$shown" = "$_pyctl_notice" ] && [ "$((_pyctl_reply - last))" -lt 86400 ]; then return 0; fi
    printf "%s\n" "$_pyctl_notice" >&2
    printf "%s\n%s\n" "$_pyctl_reply" "$_pyctl_notice" 2>/dev/null >"$_pyctl_notice_file" || :
}
