case ":$PATH:" in *:@BINDIR@:*) ;; *) export PATH=@BINDIR@:"$PATH" ;; esac
fpath=(@COMPLETION_DIR@ ${fpath:#@COMPLETION_DIR@})
if [[ -x @PYCTL@ ]]; then
    # The hook as pyctl last rendered it (it renders it anew when it is stale).
    if [[ -r ${XDG_CACHE_HOME:-${HOME-}/.cache}/pyctl/hook.zsh ]]; then
        . "${XDG_CACHE_HOME:-${HOME-}/.cache}/pyctl/hook.zsh"
    else
        eval "$(@PYCTL@ hook zsh)"
    fi
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
