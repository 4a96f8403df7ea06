contains -- @BINDIR@ $PATH; or set -gx PATH @BINDIR@ $PATH
if status is-interactive; and test -x @PYCTL@
    # The hook as pyctl last rendered it (it renders it anew when it is stale).
    set -l cache $HOME/.cache
    set -q XDG_CACHE_HOME[1]; and test -n "$XDG_CACHE_HOME"; and set cache $XDG_CACHE_HOME
    if test -r $cache/pyctl/hook.fish
        source $cache/pyctl/hook.fish
    else
        @PYCTL@ hook fish | source
    end
end
