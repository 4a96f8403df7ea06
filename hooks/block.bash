case ":$PATH:" in *:@BINDIR@:*) ;; *) export PATH=@BINDIR@:"$PATH" ;; esac
if [ -n "${BASH_VERSION-}" ] && [ -x @PYCTL@ ]; then
    # The hook as pyctl last rendered it; when that is missing or stale, pyctl renders it anew.
    _pyctl_hook=${XDG_CACHE_HOME:-${HOME-}/.cache}/pyctl/hook.bash
    # shellcheck disable=SC1090 # a file pyctl renders: nothing to follow here
    if ! { [ -r "$_pyctl_hook" ] && . "$_pyctl_hook"; }; then eval "$(@PYCTL@ hook bash)"; fi
    unset _pyctl_hook
    case $- in *i*) if [ -r @COMPLETION@ ]; then . @COMPLETION@; fi ;; esac
fi
