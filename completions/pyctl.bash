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
    local numbers=1
    for line in "${lines[@]}"; do
        word=${line%%$'\t'*}
        # A word that starts with # (a history point) would read as a comment: offer it escaped.
        if [[ $word == '#'* ]]; then word="\\$word"; fi
        if [[ -n $word && $word == "$cur"* ]]; then COMPREPLY+=("$word"); fi
        [[ -z $word || $word =~ ^[0-9]+$ ]] || numbers=
    done
    # History ids: sorted as numbers, and kept so (bash would sort them as text, 1 10 2). Points
    # (#1 … #11, now, snapshots) come in that order from pyctl: kept as they are.
    if [[ -n $numbers && ${#COMPREPLY[@]} -gt 1 ]]; then
        mapfile -t COMPREPLY < <(printf '%s\n' "${COMPREPLY[@]}" | sort -n)
        compopt -o nosort 2>/dev/null
    elif [[ ${COMPREPLY[0]-} == '\#'* ]]; then
        compopt -o nosort 2>/dev/null
    fi
    return 0
}

complete -F _pyctl pyctl
