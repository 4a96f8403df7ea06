# Load the pyctl hook by hand: add `source @SHARE@/hook.fish` to ~/.config/fish/config.fish
# (`pyctl setup-shell` does it for you, with completions).
if test -x @PYCTL@
    @PYCTL@ hook fish | source
end
