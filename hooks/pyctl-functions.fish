# The functions behind pip and python in pyctl's fish hook (hooks/pyctl.fish), and the start-up's
# rarer paths (a project env active, PATH to reorder). `pyctl hook fish` prints them inline; the
# rendered hook the rc block sources leaves them out and puts a folder with one file per function
# first in $fish_function_path, so fish reads each one only when it is first called: a shell start
# does not pay for parsing them.

# True while a project venv (not one of pyctl's) or a conda env other than base is active;
# _pyctl_reply is then that environment's root.
function _pyctl_project_env
    if test -n "$VIRTUAL_ENV"; and test -f "$VIRTUAL_ENV/pyvenv.cfg"
        _pyctl_home
        if not string match -q -- $_pyctl_reply'/*' "$VIRTUAL_ENV/"
            set _pyctl_reply $VIRTUAL_ENV
            return 0
        end
    end
    if test -n "$CONDA_PREFIX"; and test "$CONDA_DEFAULT_ENV" != base; and test -n "$CONDA_DEFAULT_ENV"
        and test -d "$CONDA_PREFIX/conda-meta"
        set -g _pyctl_reply $CONDA_PREFIX
        return 0
    end
    return 1
end

# _pyctl_reply: the list in $argv[3..] with $argv[1] in it exactly once, right after $argv[2]
# when that is in it, else first.
function _pyctl_path_with --argument-names bin anchor
    set -g _pyctl_reply
    for dir in $argv[3..-1]
        test "$dir" = "$bin"; and continue
        set -a _pyctl_reply $dir
        if test -n "$anchor"; and test "$dir" = "$anchor"
            set -a _pyctl_reply $bin
            set anchor ''
        end
    end
    contains -- $bin $_pyctl_reply; or set _pyctl_reply $bin $_pyctl_reply
end

# The venv of version $argv[1] in the tier's root.
function _pyctl_venv --argument-names py
    _pyctl_home
    set _pyctl_reply $_pyctl_reply/py(string replace . '' -- $py)/venv
end

# pip and pip3 use the default version; pip3.12 uses 3.12 (likewise python).
function _pyctl_version --argument-names name
    switch $name
        case pip pip3 python python3
            echo $_pyctl_default
        case 'pip*'
            string replace pip '' -- $name
        case '*'
            string replace python '' -- $name
    end
end

# The base interpreter of a version, from the facts pyctl found at start-up.
function _pyctl_base --argument-names py
    for entry in $_pyctl_pythons
        if test (string split -m 1 = -- $entry)[1] = $py
            set -l path (string split -m 1 = -- $entry)[2]
            test -n "$path"; and echo $path
            return
        end
    end
    return 1
end

# True for pip calls that cannot change the venv (list, show, --version, ...): these run the
# venv's pip directly, without starting pyctl. --user and PIP_USER go to pyctl, which drops them.
function _pyctl_pip_reads
    test -z "$PIP_USER"; or return 1
    contains -- --user $argv; and return 1
    set -l skip 0
    for arg in $argv
        if test $skip = 1
            set skip 0
            continue
        end
        switch $arg
            case '-*'
                contains -- $arg $_pyctl_value_options; and set skip 1
            case '*'
                contains -- $arg $_pyctl_read_commands
                return
        end
    end
    return 0
end

# Prints how many of python's arguments come before pip's own when they run `-m pip` (also
# -mpip, -Im pip, after -X/-W options); fails otherwise.
function _pyctl_m_pip
    set -l count 0
    while set -q argv[1]
        set -l arg $argv[1]
        set -e argv[1]
        set count (math $count + 1)
        switch $arg
            case --check-hash-based-pycs
                if set -q argv[1]
                    set -e argv[1]
                    set count (math $count + 1)
                end
                continue
            case '' - '--*'
                return 1
            case '-*'
            case '*'
                return 1
        end
        set -l flags (string sub -s 2 -- $arg)
        while test -n "$flags"
            switch $flags
                case 'c*'
                    return 1
                case 'm*'
                    set flags (string sub -s 2 -- $flags)
                    if test -z "$flags"
                        set -q argv[1]; or return 1
                        set flags $argv[1]
                        set count (math $count + 1)
                    end
                    test "$flags" = pip; or return 1
                    echo $count
                    return 0
                case W X
                    if set -q argv[1]
                        set -e argv[1]
                        set count (math $count + 1)
                    end
                    set flags ''
                case 'W*' 'X*'
                    set flags ''
                case '*'
                    set flags (string sub -s 2 -- $flags)
            end
        end
    end
    return 1
end

# False, after one line saying so, when pyctl's binary is gone (uninstalled while this shell
# ran); a new shell does not load the hook then, and pip runs untouched there.
function _pyctl_present
    test -x "$_pyctl_bin"; and return 0
    printf 'pyctl: %s is gone: open a new shell to run pip without pyctl\n' $_pyctl_bin >&2
    return 1
end

# A pip write, recorded by pyctl (fish caches no command paths, so nothing to refresh); a venv it
# made for another version puts its bin on PATH.
function _pyctl_pip_write --argument-names name py
    _pyctl_present; or return 127
    set -l code
    # `pip … 2>&1 | f` with f a fish function: fish holds this function's stdout back until it
    # returns, but its stderr goes to the pipe at once, so pyctl's lines would come before pip's
    # output. Both are pipes then and stderr is not fish's own: merged here, they keep their order.
    if command test -p /dev/fd/1 -a -p /dev/fd/2 -a -e /proc/$fish_pid/fd/2 -a ! /dev/fd/2 -ef /proc/$fish_pid/fd/2
        $_pyctl_bin pip --python $py --as $name -- $argv[3..-1] 2>&1
        set code $status
    else
        $_pyctl_bin pip --python $py --as $name -- $argv[3..-1]
        set code $status
    end
    _pyctl_set_path
    return $code
end

# The routing step pip and python share: prints the version, then the venv, for command $name;
# fails when the real command should run untouched (no version known, or a project env active).
function _pyctl_route --argument-names name
    set -l py (_pyctl_version $name)
    if test -z "$py"; or _pyctl_project_env >/dev/null
        return 1
    end
    echo $py
    _pyctl_venv $py
    echo $_pyctl_reply
end

# True when venv $venv exists but cannot run (its base interpreter is gone): pyctl has then
# said so in one line, naming the interpreter and the `pyctl rebuild` that helps.
function _pyctl_broken --argument-names venv py
    test -x $venv/bin/python; and return 1
    _pyctl_present; and $_pyctl_bin explain-missing --python $py
    return 0
end

function _pyctl_pip --argument-names name
    set -l route (_pyctl_route $name)
    or begin
        command $name $argv[2..-1]
        return
    end
    if test -f $route[2]/pyvenv.cfg; and _pyctl_pip_reads $argv[2..-1]
        _pyctl_broken $route[2] $route[1]; and return 1
        $route[2]/bin/pip $argv[2..-1]
        return
    end
    _pyctl_pip_write $name $route[1] $argv[2..-1]
end

function _pyctl_python --argument-names name
    set -l args $argv[2..-1]
    set -l route (_pyctl_route $name)
    or begin
        command $name $args
        return
    end
    set -l py $route[1]
    set -l venv $route[2]
    if set -l skip (_pyctl_m_pip $args)
        set -l pip_args $args[(math $skip + 1)..-1]
        if test -f $venv/pyvenv.cfg; and _pyctl_pip_reads $pip_args
            _pyctl_broken $venv $py; and return 1
            $venv/bin/python $args
            return
        end
        _pyctl_pip_write "$name -m pip" $py $pip_args
        return
    end
    if test -f $venv/pyvenv.cfg
        _pyctl_broken $venv $py; and return 1
        $venv/bin/python $args
    else if not contains -- $name python python3; and set -l base (_pyctl_base $py)
        $base $args
    else
        command $name $args
    end
end

# The notice pyctl decided on when it rendered this hook (a Python upgrade), shown on stderr at
# most once a day.
function _pyctl_announce
    set -l dir $HOME/.cache/pyctl
    set -q XDG_CACHE_HOME[1]; and test -n "$XDG_CACHE_HOME"; and set dir $XDG_CACHE_HOME/pyctl
    set -l file $dir/notice-shown
    set -l last 0
    set -l shown
    if test -r $file
        read -l -L stamp text <$file
        string match -qr '^[0-9]+$' -- "$stamp"; and set last $stamp
        set shown "$text"
    end
    set -l now (date +%s)
    if test "$shown" = "$_pyctl_notice"; and test (math $now - $last) -lt 86400
        return 0
    end
    printf '%s\n' $_pyctl_notice >&2
    test -d $dir -a -w $dir; and printf '%s\n%s\n' $now $_pyctl_notice >$file
end
