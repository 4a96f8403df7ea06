# pyctl hook for bash, printed by `pyctl hook bash`. In ~/.bashrc: eval "$(pyctl hook bash)"
# (the block `pyctl setup-shell` writes sources a rendered copy instead, starting no process).
#
# pip, pip3, python, python3 and their X.Y spellings run in your pyctl venv for that Python
# version, unless a project venv or a conda env (not base) is active: then they are untouched.
# pip writes go through `pyctl pip`, which records them; everything else runs the venv directly.
# Safe to source twice, silent under `set -euo pipefail`, usable in POSIX mode (no dotted names).

@FACTS@
export PYCTL_HOOK_PID=$$ PYCTL_HOOK_SHELL=bash

@BODY@

_pyctl_now() {
    printf -v _pyctl_reply '%(%s)T' -1
}

# pip3.X and python3.X complete like pip and python, once those have a completion.
_pyctl_complete_like() {
    local base=pip spec
    case $1 in python*) base=python ;; esac
    if ! \builtin complete -p "$base" >/dev/null 2>&1; then
        if \builtin declare -F _comp_load >/dev/null; then
            _comp_load "$base"
        elif \builtin declare -F __load_completion >/dev/null; then
            __load_completion "$base"
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
    # shellcheck disable=SC2154 # @FACTS@ above assigns it when the template is rendered
    local rest=$_pyctl_pythons version
    while [ -n "$rest" ]; do
        version=${rest%%=*}
        rest=${rest#*=}
        case $rest in *:*) rest=${rest#*:} ;; *) rest= ;; esac
        eval "function pip$version { _pyctl_pip pip$version \"\$@\"; }
function python$version { _pyctl_python python$version \"\$@\"; }"
        \builtin complete -o bashdefault -o default -F _pyctl_complete_like "pip$version" "python$version"
    done
}
if ! \builtin shopt -oq posix; then _pyctl_define_versions; fi

_pyctl_set_path
# Interactive shells: refresh the command cache after pip writes made in a subshell (the prompt
# hook), and show a pending notice.
case $- in
    *i*)
        case ";${PROMPT_COMMAND-};" in
            *";_pyctl_prompt;"*) ;;
            *) PROMPT_COMMAND="_pyctl_prompt;${PROMPT_COMMAND-}" ;;
        esac
        if [ -n "$_pyctl_notice" ]; then _pyctl_announce; fi
        ;;
esac
