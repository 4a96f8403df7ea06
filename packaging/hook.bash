# Load the pyctl hook by hand: add `. @SHARE@/hook.bash` to your ~/.bashrc
# (`pyctl setup-shell` does it for you, with completions).
if [ -x @PYCTL@ ]; then eval "$(@PYCTL@ hook bash)"; fi
