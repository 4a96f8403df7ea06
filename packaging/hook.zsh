# Load the pyctl hook by hand: add `. @SHARE@/hook.zsh` to your ~/.zshrc
# (`pyctl setup-shell` does it for you, with completions).
if [ -x @PYCTL@ ]; then eval "$(@PYCTL@ hook zsh)"; fi
