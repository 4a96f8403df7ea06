# A login bash reads this file after ~/.bashrc, and the lines above may put folders such as
# ~/.local/bin first on PATH: the hook puts your pyctl venv first again (sh and dash skip this).
if command -v _pyctl_set_path >/dev/null 2>&1; then _pyctl_set_path; fi
