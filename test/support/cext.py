"""Build `cext` 1.0, a wheel with a real C extension, for the running interpreter:
`python cext.py OUTDIR`. Exits 3 when a compiler or the Python headers are missing."""
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

sys.dont_write_bytecode = True  # wheels.py sits in the repo: leave no __pycache__ there
from wheels import build  # noqa: E402

SOURCE = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *answer(PyObject *self, PyObject *unused) { return PyLong_FromLong(42); }

static PyMethodDef methods[] = {
    {"answer", answer, METH_NOARGS, "The answer."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1, methods};

PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&module); }
"""


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: cext.py OUTDIR")
    include = sysconfig.get_paths()["include"]
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc or not os.path.exists(os.path.join(include, "Python.h")):
        print("cext.py: need a C compiler and %s/Python.h" % include, file=sys.stderr)
        sys.exit(3)
    xy = "%d%d" % sys.version_info[:2]
    tag = "cp%s-cp%s-%s" % (xy, xy, sysconfig.get_platform().replace("-", "_").replace(".", "_"))
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "speed.c"), os.path.join(tmp, "speed.so")
        with open(src, "w") as f:
            f.write(SOURCE)
        subprocess.run([cc, "-shared", "-fPIC", "-O1", "-I", include, "-o", out, src], check=True)
        with open(out, "rb") as f:
            binary = f.read()
    files = {
        "cext/__init__.py": 'from ._speed import answer\n\n__version__ = "1.0"\n',
        "cext/_speed" + suffix: binary,
    }
    os.makedirs(argv[1], exist_ok=True)
    print(build(argv[1], "cext", "1.0", files=files, tag=tag, root_is_purelib=False))


if __name__ == "__main__":
    main(sys.argv)
