# The pyctl hook for fish, rendered by `pyctl hook fish` for the block `pyctl setup-shell` put in
# config.fish: sourcing it starts no process. It is stale when the environment, pyctl, a Python,
# a venv or config.toml changed (a folder below is newer than this file or gone, or something
# absent appeared) or PATH is not one it was rendered for: then sourcing it fails, defining nothing,
# and the block in config.fish runs `pyctl hook fish`, which renders it anew.
set -l stale 1
if test "$HOME|$PYCTL_HOME|$PYCTL_SYSTEM_HOME|$PYCTL_TIER|$PYENV_ROOT|$EUID" = @ENV@
    switch "$PATH"
@TABLE@
    end
end
# Stale too when a folder it watches is gone or newer than this file, or an absent one appeared.
if test -n "$stale"@CHECKS@
    return 1
end

