# The pyctl hook for @SHELL@, rendered by `pyctl hook @SHELL@` for the block `pyctl setup-shell` put in
# your rc file: sourcing it starts no process. It is stale when the environment, pyctl, a Python,
# a venv or config.toml changed (a folder below is newer than this file or gone, or something
# absent appeared) or PATH is not one it was rendered for: then sourcing it fails, defining nothing,
# and the rc block runs `pyctl hook @SHELL@`, which renders it anew.
_pyctl_stale=1
if [ "${HOME-}|${PYCTL_HOME-}|${PYCTL_SYSTEM_HOME-}|${PYCTL_TIER-}|${PYENV_ROOT-}|${EUID-}" = @ENV@ ]; then
    case ${PATH-} in
@TABLE@
    esac
fi
# shellcheck disable=SC2041 # these words are paths, however few: no command was meant
for _pyctl_dir in @NEWER@; do
    if [ ! -e "$_pyctl_dir" ] || [ "$_pyctl_dir" -nt @SELF@ ]; then _pyctl_stale=1; fi
done
# shellcheck disable=SC2041 # as above
for _pyctl_dir in @ABSENT@; do
    if [ -e "$_pyctl_dir" ]; then _pyctl_stale=1; fi
done
unset _pyctl_dir
if [ -n "$_pyctl_stale" ]; then
    unset _pyctl_stale
    return 1
fi
unset _pyctl_stale

