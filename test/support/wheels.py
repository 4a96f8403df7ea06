"""Build the fixture wheels used by the test suite: `python3 wheels.py OUTDIR [--many N]`.

`python3 wheels.py OUTDIR --huge` builds only `huge` 1.0 and 2.0: packages of several thousand
small modules (and a console script), for interrupting pip mid-extraction.

Stdlib only, Python 3.8+. Archives are byte-for-byte reproducible (fixed timestamps), so
hashes recorded by one run stay valid in the next.
"""
import base64
import hashlib
import os
import re
import sys
import zipfile

EPOCH = (2020, 1, 1, 0, 0, 0)


def normalise(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def module_source(version, script):
    src = '__version__ = "%s"\n' % version
    if script:
        src += '\n\ndef main():\n    print("%s %s")\n' % (script, version)
    return src


def build(outdir, name, version, requires=(), extras=(), module=None, scripts=(), files=None,
          tag="py3-none-any", root_is_purelib=True, requires_python=None):
    """Write one wheel. `files` maps archive paths to text; the default is a single module."""
    dist = normalise(name)
    module = module or dist
    if files is None:
        files = {module + ".py": module_source(version, module if scripts else None)}
    info = "%s-%s.dist-info" % (dist, version)
    meta = ["Metadata-Version: 2.1", "Name: " + name, "Version: " + version,
            "Summary: pyctl test fixture"]
    if requires_python:
        meta.append("Requires-Python: " + requires_python)
    meta += ["Provides-Extra: " + e for e in extras]
    meta += ["Requires-Dist: " + r for r in requires]
    entries = dict(files)
    entries[info + "/METADATA"] = "\n".join(meta) + "\n\n"
    entries[info + "/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: pyctl-fixtures\nRoot-Is-Purelib: %s\nTag: %s\n\n"
        % ("true" if root_is_purelib else "false", tag))
    if scripts:
        lines = ["%s = %s:main" % (s, module) for s in scripts]
        entries[info + "/entry_points.txt"] = "[console_scripts]\n" + "\n".join(lines) + "\n"
    record = []
    path = os.path.join(outdir, "%s-%s-%s.whl" % (dist, version, tag))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, text in entries.items():
            data = text.encode() if isinstance(text, str) else text
            write(zf, arc, data)
            record.append("%s,%s,%d" % (arc, record_hash(data), len(data)))
        record.append(info + "/RECORD,,")
        write(zf, info + "/RECORD", ("\n".join(record) + "\n").encode())
    return path


def write(zf, arc, data):
    zi = zipfile.ZipInfo(arc, EPOCH)
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.external_attr = 0o644 << 16
    zf.writestr(zi, data)


def sidecar(wheel, kind, text=""):
    """What the fixture index says about a file besides its name: `.yanked`, `.requires-python`."""
    with open(wheel + "." + kind, "w") as f:
        f.write(text)


def build_upgrade_fixtures(outdir):
    """For outdated/upgrade: several versions, an upper bound that blocks an upgrade, a
    pre-release, a yanked file, a file for another Python, and one whose Requires-Python fails."""
    for v in ("1.0", "1.1", "2.0", "2.1rc1"):
        build(outdir, "kappa", v, scripts=["kappa"])
    sidecar(build(outdir, "kappa", "2.6"), "yanked", "broken build")
    build(outdir, "kappa", "2.5", tag="py2-none-any")
    newer = build(outdir, "kappa", "3.0", requires_python=">=3.99")
    sidecar(newer, "requires-python", ">=3.99")
    build(outdir, "lamda", "1.0", requires=["kappa<2"])
    for v in ("1.0", "2.0"):
        build(outdir, "nu", v)
    build(outdir, "mu", "1.0", requires=["nu<2"])
    build(outdir, "mu", "2.0", requires=["nu>=2.0"])
    for v in ("0.9", "1.0b1", "1.0b2"):
        build(outdir, "xi", v)


def build_all(outdir, many):
    os.makedirs(outdir, exist_ok=True)
    for v in ("1.0", "1.1", "2.0"):
        build(outdir, "alpha", v, scripts=["alpha"])
    for v in ("1.0", "2.0"):
        build(outdir, "beta", v, requires=["alpha>=1.0"], scripts=["beta"])
    build(outdir, "gamma", "1.0", extras=["fast"],
          requires=["beta", 'delta ; extra == "fast"'])
    for v in ("1.0", "1.5"):
        build(outdir, "delta", v, requires=['epsilon ; python_version < "3.0"'])
    build(outdir, "epsilon", "1.0")
    build(outdir, "Mixed_Case.Name", "1.0", module="mixed_case")
    for v in ("1.0", "2.0"):
        build(outdir, "zeta", v, requires=["eta"])
    build(outdir, "eta", "1.0", requires=["zeta"])
    build(outdir, "slowpkg", "1.0")
    big = {"big/__init__.py": '__version__ = "1.0"\n'}
    for i in range(30):
        big["big/m%d.py" % i] = "VALUE = %d\n\n\ndef value():\n    return VALUE\n" % i
    build(outdir, "big", "1.0", files=big)
    build_upgrade_fixtures(outdir)
    for i in range(many):
        for v in ("1.0", "1.1"):
            build(outdir, "filler%03d" % i, v)


def build_huge(outdir, modules=3000):
    os.makedirs(outdir, exist_ok=True)
    for v in ("1.0", "2.0"):
        files = {"huge/__init__.py": module_source(v, "huge")}
        for i in range(modules):
            files["huge/m%04d.py" % i] = "VALUE = %d\nVERSION = %r\n" % (i, v)
        build(outdir, "huge", v, files=files, scripts=["huge"])


def main(argv):
    args = argv[1:]
    if "--huge" in args:
        args.remove("--huge")
        build_huge(args[0])
        return
    many = 0
    if "--many" in args:
        at = args.index("--many")
        many = int(args[at + 1])
        del args[at:at + 2]
    if len(args) != 1:
        sys.exit("usage: wheels.py OUTDIR [--many N]")
    build_all(args[0], many)


if __name__ == "__main__":
    main(sys.argv)
