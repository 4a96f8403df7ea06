case ":$PATH:" in *:@BINDIR@:*) ;; *) export PATH=@BINDIR@:"$PATH" ;; esac
if [ -n "${BASH_VERSION-}" ] && [ -x @PYCTL@ ]; then
    # The hook as pyctl last rendered it (it renders it anew when it is stale).
    if [ -r "${XDG_CACHE_HOME:-${HOME-}/.cache}/pyctl/hook.bash" ]; then
        . "${XDG_CACHE_HOME:-${HOME-}/.cache}/pyctl/hook.bash"
    else
        eval "$(@PYCTL@ hook bash)"
    fi
    if [ -r @COMPLETION@ ]; then . @COMPLETION@; fi
fi
