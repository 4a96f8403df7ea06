# pyctl hook for fish, printed by `pyctl hook fish`. In config.fish: pyctl hook fish | source
#
# pip, pip3, python, python3 and their X.Y spellings run in your pyctl venv for that Python
# version, unless a project venv or a conda env (not base) is active: then they are untouched.
# pip writes go through `pyctl pip`, which records them; everything else runs the venv directly.
# Safe to source twice.

@FACTS@
# pip's value-taking global options and its read-only subcommands, from src/core/packages/pip-args.ts.
set -g _pyctl_value_options @VALUE_OPTIONS@
set -g _pyctl_read_commands @READ_COMMANDS@
set -gx PYCTL_HOOK_PID $fish_pid
set -gx PYCTL_HOOK_SHELL fish

# The tier's root, resolved as src/core/base/paths.ts does (its defaults rendered in). Helpers
# on the start-up path reply in the global _pyctl_reply: a command substitution costs fish more
# than the rest of the work.
function _pyctl_home
    set -l system @SYSTEM_ROOT@
    test -n "$PYCTL_SYSTEM_HOME"; and set system $PYCTL_SYSTEM_HOME
    set -g _pyctl_reply $HOME/@USER_ROOT@
    test -n "$PYCTL_HOME"; and set _pyctl_reply $PYCTL_HOME
    switch "$PYCTL_TIER"
        case system
            set _pyctl_reply $system
        case user
        case '*'
            if test "$EUID" = 0; and test -e $system/config.toml
                set _pyctl_reply $system
            end
    end
end

# The default venv's bin goes on PATH after an active project env's bin, before everything else;
# right after it the bins of the other versions' venvs that exist, newest first, so a script
# two versions share runs from the default's.
function _pyctl_set_path
    _pyctl_home
    set -l home $_pyctl_reply
    set -l bin $home/$_pyctl_default_key/venv/bin
    set -l anchor
    if test -n "$VIRTUAL_ENV$CONDA_PREFIX"; and _pyctl_project_env
        set anchor $_pyctl_reply/bin
    end
    # Most starts find the venv's bin missing from PATH, or first and only there: no loop then.
    if test -z "$anchor"; and not contains -- $bin $PATH
        set -gx PATH $bin $PATH
    else if test -n "$anchor"; or test "$PATH[1]" != $bin; or contains -- $bin $PATH[2..-1]
        _pyctl_path_with $bin "$anchor" $PATH
        set -gx PATH $_pyctl_reply
    end
    # $_pyctl_versions lists oldest first: each one goes right after the default's bin.
    for py in $_pyctl_versions
        set -l other $home/py(string replace . '' -- $py)/venv/bin
        if test "$py" != "$_pyctl_default"; and test -d $other; and not contains -- $other $PATH
            _pyctl_path_with $other $bin $PATH
            set -gx PATH $_pyctl_reply
        end
    end
    # A venv activated before this hook restores its saved PATH on deactivate: fix that too.
    if set -q _OLD_VIRTUAL_PATH[1]
        _pyctl_path_with $bin '' $_OLD_VIRTUAL_PATH
        set -gx _OLD_VIRTUAL_PATH $_pyctl_reply
    end
end

@FUNCTIONS@

function pip --description 'pip in your pyctl venv (see pyctl hook fish)'
    _pyctl_pip pip $argv
end
function pip3 --description 'pip in your pyctl venv (see pyctl hook fish)'
    _pyctl_pip pip3 $argv
end
function python --description 'python in your pyctl venv (see pyctl hook fish)'
    _pyctl_python python $argv
end
function python3 --description 'python in your pyctl venv (see pyctl hook fish)'
    _pyctl_python python3 $argv
end
# pipX.Y and pythonX.Y complete like pip and python.
function _pyctl_define_versions
    for py in $_pyctl_versions
        function pip$py --wraps pip --description 'pip in your pyctl venv (see pyctl hook fish)'
            _pyctl_pip (status current-function) $argv
        end
        function python$py --wraps python --description 'python in your pyctl venv (see pyctl hook fish)'
            _pyctl_python (status current-function) $argv
        end
    end
end
_pyctl_define_versions

if test -n "$_pyctl_default"
    _pyctl_set_path
end

if status is-interactive; and test -n "$_pyctl_notice"
    _pyctl_announce
end
