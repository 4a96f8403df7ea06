# bash completion for pyctl. The words come from `pyctl complete`, which reads pyctl's command
# table, snapshot names and history ids when you press TAB. Installed by `pyctl setup-shell`.

_pyctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} line word
    local -a lines
    COMPREPLY=()
    mapfile -t lines < <("${COMP_WORDS[0]}" complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
    if [[ ${lines[0]-} == :files ]]; then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return 0
    fi
    for line in "${lines[@]}"; do
        word=${line%%$'\t'*}
        # A word that starts with # (a history point) would read as a comment: offer it escaped.
        if [[ $word == '#'* ]]; then word="\\$word"; fi
        if [[ -n $word && $word == "$cur"* ]]; then COMPREPLY+=("$word"); fi
    done
    return 0
}

complete -F _pyctl pyctl
