/**
 * A source project pip can build offline: its PEP 517/660 build backend lives in the project
 * itself (stdlib only), so `pip install -e DIR` and `pip install DIR` need no setuptools or index.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const BACKEND = String.raw`
import base64, hashlib, os, zipfile

NAME, VERSION, MODULE = open(os.path.join(os.path.dirname(__file__), "NAME")).read().split()
DIST = NAME.replace("-", "_")
INFO = f"{DIST}-{VERSION}.dist-info"

def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

def _wheel(directory, files):
    files = dict(files)
    files[f"{INFO}/METADATA"] = f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n".encode()
    files[f"{INFO}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: pyctl-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = "".join(f"{p},{_digest(d)},{len(d)}\n" for p, d in files.items()) + f"{INFO}/RECORD,,\n"
    name = f"{DIST}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        for p, d in files.items():
            z.writestr(p, d)
        z.writestr(f"{INFO}/RECORD", record)
    return name

def _source():
    root = os.path.dirname(os.path.abspath(__file__))
    return root, open(os.path.join(root, MODULE + ".py"), "rb").read()

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {MODULE + ".py": _source()[1]})

FINDER = os.path.exists(os.path.join(os.path.dirname(__file__), "FINDER"))

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    root = _source()[0]
    if not FINDER:
        return _wheel(wheel_directory, {f"__editable__.{DIST}.pth": (root + "\n").encode()})
    # as setuptools does it: a .pth that installs an import finder, and a console script
    finder = f"__editable___{DIST}_finder"
    return _wheel(wheel_directory, {
        f"__editable__.{DIST}-{VERSION}.pth": f"import {finder}; {finder}.install()\n".encode(),
        f"{finder}.py": f"import sys\nROOT = {root!r}\n\ndef install():\n    if ROOT not in sys.path:\n        sys.path.append(ROOT)\n".encode(),
        f"{INFO}/entry_points.txt": f"[console_scripts]\n{NAME}-cli = {MODULE}:main\n".encode(),
    })

def get_requires_for_build_wheel(config_settings=None):
    return []

get_requires_for_build_editable = get_requires_for_build_wheel
`;

/**
 * Writes a buildable project `name` (module `module`) into `dir` and returns dir. `buildRequires`
 * are fetched by pip (build isolation) before it can build it: a project that cannot be built
 * without the index. `finder`: its editable install is setuptools-style, a .pth that installs an
 * `__editable__` import finder, plus a console script NAME-cli.
 */
export function writeProject(
  dir: string,
  name: string,
  version: string,
  module: string,
  options: { buildRequires?: string[]; finder?: boolean } = {},
): string {
  const buildRequires = options.buildRequires ?? [];
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "NAME"), `${name} ${version} ${module}\n`);
  writeFileSync(join(dir, "_backend.py"), BACKEND);
  writeFileSync(join(dir, `${module}.py`), `VALUE = "${name} ${version}"\n\n\ndef main():\n    print(VALUE)\n`);
  if (options.finder) writeFileSync(join(dir, "FINDER"), "");
  writeFileSync(
    join(dir, "pyproject.toml"),
    `[build-system]\nrequires = ${JSON.stringify(buildRequires)}\nbuild-backend = "_backend"\nbackend-path = ["."]\n`,
  );
  return dir;
}
