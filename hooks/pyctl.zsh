# pyctl hook for zsh, printed by `pyctl hook zsh`. In ~/.zshrc: eval "$(pyctl hook zsh)"
# (the block `pyctl setup-shell` writes sources a rendered copy instead, starting no process).
#
# pip, pip3, python, python3 and their X.Y spellings run in your pyctl venv for that Python
# version, unless a project venv or a conda env (not base) is active: then they are untouched.
# pip writes go through `pyctl pip`, which records them; everything else runs the venv directly.
# Safe to source twice, silent under `set -eu -o pipefail`, whatever the user's options.

@FACTS@
export PYCTL_HOOK_PID=$$ PYCTL_HOOK_SHELL=zsh

# The body bash shares (hooks/pyctl.sh, comments left out), defined under `emulate sh`: zsh
# makes that emulation sticky, so those functions run as sh whatever options the user sets.
emulate sh -c @BODY@

function _pyctl_now {
    zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
    _pyctl_reply=${EPOCHSECONDS:-0}
}

function pip { _pyctl_pip pip "$@"; }
function pip3 { _pyctl_pip pip3 "$@"; }
function python { _pyctl_python python "$@"; }
function python3 { _pyctl_python python3 "$@"; }

# pipX.Y and pythonX.Y; zsh's own _pip and _python completions already match these names.
function _pyctl_define_versions {
    emulate -L zsh
    local entry version
    for entry in ${(s.:.)_pyctl_pythons}; do
        version=${entry%%=*}
        functions[pip$version]="_pyctl_pip pip$version \"\$@\""
        functions[python$version]="_pyctl_python python$version \"\$@\""
    done
}
_pyctl_define_versions

_pyctl_set_path
# Interactive shells: refresh the command cache after pip writes made in a subshell (the prompt
# hook), and show a pending notice.
function _pyctl_interactive {
    emulate -L zsh
    [[ -o interactive ]] || return 0
    (( ${precmd_functions[(I)_pyctl_prompt]} )) || precmd_functions=(_pyctl_prompt $precmd_functions)
    [[ -z $_pyctl_notice ]] || _pyctl_announce
}
_pyctl_interactive
