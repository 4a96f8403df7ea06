# pyctl hook for bash, printed by `pyctl hook bash`. In ~/.bashrc: eval "$(pyctl hook bash)"
#
# pip, pip3, python, python3 and their X.Y spellings run in your pyctl venv for that Python
# version, unless a project venv or a conda env (not base) is active: then they are untouched.
# pip writes go through `pyctl pip`, which records them; everything else runs the venv directly.
# Safe to source twice, silent under `set -euo pipefail`, usable in POSIX mode (no dotted names).

_pyctl_bin=@PYCTL@
_pyctl_default=@DEFAULT@
# Each Python version found, as X.Y=/path/to/pythonX.Y, separated by ":".
_pyctl_pythons=@PYTHONS@
export PYCTL_HOOK_PID=$$ PYCTL_HOOK_SHELL=bash

# The tier's root, resolved as src/core/paths.ts does.
_pyctl_home() {
    local system=${PYCTL_SYSTEM_HOME:-/opt/system-python}
    _pyctl_reply=${PYCTL_HOME:-${HOME-}/.local/python-packages}
    case ${PYCTL_TIER-} in
        system) _pyctl_reply=$system ;;
        user) ;;
        *) if [ "${EUID-}" = 0 ] && [ -e "$system/config.toml" ]; then _pyctl_reply=$system; fi ;;
    esac
}

_pyctl_venv() {
    _pyctl_home
    _pyctl_reply=$_pyctl_reply/py${1/./}/venv
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
            *) _pyctl_reply=$VIRTUAL_ENV && return 0 ;;
        esac
    fi
    if [ -n "${CONDA_PREFIX-}" ] && [ "${CONDA_DEFAULT_ENV:-base}" != base ] && [ -d "$CONDA_PREFIX/conda-meta" ]; then
        _pyctl_reply=$CONDA_PREFIX && return 0
    fi
    return 1
}

# The base interpreter of version $1, from the facts pyctl found at start-up.
_pyctl_base() {
    local rest=":$_pyctl_pythons:"
    case $rest in *":$1="*) ;; *) return 1 ;; esac
    rest=${rest#*":$1="}
    _pyctl_reply=${rest%%:*}
    [ -n "$_pyctl_reply" ]
}

# True for pip calls that cannot change the venv (list, show, --version, ...): these run the
# venv's pip directly, without starting pyctl. --user and PIP_USER go to pyctl, which drops them.
_pyctl_pip_reads() {
    [ -z "${PIP_USER-}" ] || return 1
    local arg subcommand= skip=
    for arg in "$@"; do
        case $arg in --user) return 1 ;; esac
        if [ -n "$subcommand" ]; then continue; fi
        if [ -n "$skip" ]; then skip= && continue; fi
        case $arg in
            --python | --log | --log-file | --local-log | --proxy | --retries | --timeout | --exists-action | \
                --trusted-host | --cert | --client-cert | --cache-dir | --use-feature | --use-deprecated | \
                --keyring-provider | --root-user-action) skip=1 ;;
            -*) ;;
            *) subcommand=$arg ;;
        esac
    done
    case $subcommand in
        '' | list | show | freeze | check | help | download | wheel | hash | cache | config | debug | index | inspect | search | completion) return 0 ;;
    esac
    return 1
}

# True when python's arguments run `-m pip` (also -mpip, -Im pip, after -X/-W options);
# _pyctl_reply is then how many arguments come before pip's own.
_pyctl_m_pip() {
    local count=0 arg flags
    while [ "$#" -gt 0 ]; do
        arg=$1 && shift && count=$((count + 1))
        case $arg in
            --check-hash-based-pycs)
                if [ "$#" -gt 0 ]; then shift && count=$((count + 1)); fi
                continue ;;
            '' | - | --* | [!-]*) return 1 ;;
        esac
        flags=${arg#-}
        while [ -n "$flags" ]; do
            case $flags in
                c*) return 1 ;;
                m*)
                    flags=${flags#m}
                    if [ -z "$flags" ]; then
                        [ "$#" -gt 0 ] || return 1
                        flags=$1 && count=$((count + 1))
                    fi
                    [ "$flags" = pip ] || return 1
                    _pyctl_reply=$count && return 0 ;;
                W | X)
                    if [ "$#" -gt 0 ]; then shift && count=$((count + 1)); fi
                    flags= ;;
                W* | X*) flags= ;;
                *) flags=${flags#?} ;;
            esac
        done
    done
    return 1
}

# A pip write, recorded by pyctl; then bash forgets cached paths so new scripts run at once.
_pyctl_pip_write() {
    local status=0
    "$_pyctl_bin" pip --python "$2" --as "$1" -- "${@:3}" || status=$?
    \builtin hash -r
    return "$status"
}

# The routing step pip and python share: for command $1, _pyctl_version_reply is its version and
# _pyctl_reply its venv; fails when the real command should run untouched (no version known, or
# a project env active).
_pyctl_route() {
    _pyctl_version "$1" && _pyctl_version_reply=$_pyctl_reply
    if [ -z "$_pyctl_version_reply" ] || _pyctl_project_env; then return 1; fi
    _pyctl_venv "$_pyctl_version_reply"
}

_pyctl_pip() {
    local name=$1 version venv
    shift
    if ! _pyctl_route "$name"; then
        \command "$name" "$@"
        return
    fi
    version=$_pyctl_version_reply venv=$_pyctl_reply
    if [ -f "$venv/pyvenv.cfg" ] && _pyctl_pip_reads "$@"; then
        "$venv/bin/pip" "$@"
        return
    fi
    _pyctl_pip_write "$name" "$version" "$@"
}

_pyctl_python() {
    local name=$1 version venv skip
    shift
    if ! _pyctl_route "$name"; then
        \command "$name" "$@"
        return
    fi
    version=$_pyctl_version_reply venv=$_pyctl_reply
    if _pyctl_m_pip "$@"; then
        skip=$_pyctl_reply
        if [ -f "$venv/pyvenv.cfg" ] && _pyctl_pip_reads "${@:skip+1}"; then
            "$venv/bin/python" "$@"
            return
        fi
        _pyctl_pip_write "$name -m pip" "$version" "${@:skip+1}"
        return
    fi
    if [ -f "$venv/pyvenv.cfg" ]; then
        "$venv/bin/python" "$@"
    elif [ "$name" != python ] && [ "$name" != python3 ] && _pyctl_base "$version"; then
        "$_pyctl_reply" "$@"
    else
        \command "$name" "$@"
    fi
}

# $1 with $2 in it exactly once: right after $3 when $3 is in it, else first.
_pyctl_path_with() {
    local list=":$1:"
    while :; do
        case $list in
            *":$2:"*) list=${list%%":$2:"*}:${list#*":$2:"} ;;
            *) break ;;
        esac
    done
    case $list in
        *":$3:"*) list=${list%%":$3:"*}":$3:$2:"${list#*":$3:"} ;;
        *) list=":$2$list" ;;
    esac
    list=${list#:}
    _pyctl_reply=${list%:}
}

# The default venv's bin goes on PATH after an active project env's bin, before everything else.
_pyctl_set_path() {
    local bin anchor=
    _pyctl_venv "$_pyctl_default" && bin=$_pyctl_reply/bin
    if _pyctl_project_env; then anchor=$_pyctl_reply/bin; fi
    _pyctl_path_with "${PATH-}" "$bin" "$anchor" && PATH=$_pyctl_reply
    # A venv activated before this hook restores its saved PATH on deactivate: fix that too.
    if [ -n "${_OLD_VIRTUAL_PATH-}" ]; then
        _pyctl_path_with "$_OLD_VIRTUAL_PATH" "$bin" "" && _OLD_VIRTUAL_PATH=$_pyctl_reply
    fi
}

# pip3.X and python3.X complete like pip and python, once those have a completion.
_pyctl_complete_like() {
    local base=pip spec
    case $1 in python*) base=python ;; esac
    if ! \builtin complete -p "$base" >/dev/null 2>&1; then
        if \builtin declare -F _comp_load >/dev/null; then _comp_load "$base"
        elif \builtin declare -F __load_completion >/dev/null; then __load_completion "$base"
        fi
    fi
    spec=$(\builtin complete -p "$base" 2>/dev/null) || return 1
    eval "${spec% *} $1" && return 124
}

function pip { _pyctl_pip pip "$@"; }
function pip3 { _pyctl_pip pip3 "$@"; }
function python { _pyctl_python python "$@"; }
function python3 { _pyctl_python python3 "$@"; }

# Dotted names are not valid function names in POSIX mode (bash --posix, bash as sh).
_pyctl_define_versions() {
    local rest=$_pyctl_pythons version
    while [ -n "$rest" ]; do
        version=${rest%%=*} && rest=${rest#*=}
        case $rest in *:*) rest=${rest#*:} ;; *) rest= ;; esac
        eval "function pip$version { _pyctl_pip pip$version \"\$@\"; }
function python$version { _pyctl_python python$version \"\$@\"; }"
        \builtin complete -o bashdefault -o default -F _pyctl_complete_like "pip$version" "python$version"
    done
}
if ! \builtin shopt -oq posix; then _pyctl_define_versions; fi

if [ -n "$_pyctl_default" ]; then _pyctl_set_path; fi
