contains -- @BINDIR@ $PATH; or set -gx PATH @BINDIR@ $PATH
# Not only interactive shells: `fish -c` and scripts get the venv on PATH too.
if test -x @PYCTL@
    # The hook as pyctl last rendered it; when that is missing or stale, pyctl renders it anew.
    set -l cache $HOME/.cache
    set -q XDG_CACHE_HOME[1]; and test -n "$XDG_CACHE_HOME"; and set cache $XDG_CACHE_HOME
    if not test -r $cache/pyctl/hook.fish; or not source $cache/pyctl/hook.fish
        @PYCTL@ hook fish | source
    end
end
