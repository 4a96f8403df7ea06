# pyctl's gate in front of the venv's pip (venv.ts, startGatedPip), run by the venv's python as
#   python -c THIS GATE_FD SCRIPT ARGS...
# It starts while pyctl still reads the venv's before-state, says "r" on GATE_FD once it waits,
# and runs SCRIPT (bin/pip) as `python SCRIPT ARGS...` would only after pyctl sends "g". Anything
# else on the gate (pyctl stopped, or chose not to run pip) ends it before pip has run at all.
# `_signal`, not `signal`: the latter imports enum, 4 ms before the gate that pip may not need.
import _signal
import os
import sys


def wait_at_gate(gate):
    """True once pyctl says go; Ctrl-C meanwhile is pyctl's to handle, not a KeyboardInterrupt here."""
    interrupt = _signal.getsignal(_signal.SIGINT)
    held = interrupt is _signal.default_int_handler
    if held:
        _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    try:
        os.write(gate, b"r")
    except OSError:
        pass  # pyctl no longer listens: its word, if any, is waiting to be read
    try:
        go = os.read(gate, 1) == b"g"
    except OSError:
        go = False
    os.close(gate)
    if go and held:
        _signal.signal(_signal.SIGINT, interrupt)
    return go


def run_script(script):
    """Run SCRIPT as the main module, the way `python SCRIPT` does, with nothing of this file left in it."""
    sys.argv = sys.argv[2:]
    sys.path[0] = os.path.dirname(os.path.realpath(script))
    with open(script, "rb") as source:
        code = compile(source.read(), script, "exec")
    main = sys.modules["__main__"].__dict__
    for name in [name for name in main if not name.startswith("__")]:
        del main[name]
    main["__file__"] = script
    exec(code, main)


if not wait_at_gate(int(sys.argv[1])):
    os._exit(0)
run_script(sys.argv[2])
