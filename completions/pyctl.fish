# fish completion for pyctl. The words come from `pyctl complete`, which reads pyctl's command
# table, snapshot names and history ids when you press TAB. Installed by `pyctl setup-shell`.

function __pyctl_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l lines ($tokens[1] complete -- $tokens[2..-1] "$current" 2>/dev/null)
    if test "$lines[1]" = :files
        __fish_complete_path "$current"
        return
    end
    printf '%s\n' $lines
end

complete -c pyctl -f -a '(__pyctl_complete)'
