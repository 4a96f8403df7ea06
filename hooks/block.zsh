case ":$PATH:" in *:@BINDIR@:*) ;; *) export PATH=@BINDIR@:"$PATH" ;; esac
fpath=(@COMPLETION_DIR@ ${fpath:#@COMPLETION_DIR@})
if [[ -x @PYCTL@ ]]; then
    # The hook as pyctl last rendered it; when that is missing or stale, pyctl renders it anew.
    _pyctl_hook=${XDG_CACHE_HOME:-${HOME-}/.cache}/pyctl/hook.zsh
    if ! { [[ -r $_pyctl_hook ]] && . "$_pyctl_hook"; }; then eval "$(@PYCTL@ hook zsh)"; fi
    unset _pyctl_hook
fi
if (( ${+functions[compdef]} )); then
    autoload -Uz _pyctl && compdef _pyctl pyctl
elif [[ -o zle ]]; then
    # No compinit (yet): the first Tab loads zsh's completion system, which finds _pyctl in fpath.
    function _pyctl_compinit {
        autoload -Uz compinit && compinit -i && zle "$WIDGET"
    }
    zle -N expand-or-complete _pyctl_compinit
    zle -N complete-word _pyctl_compinit
fi
