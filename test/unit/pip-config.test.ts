// pip's configuration, resolved without Python: files in pip's order, sections, PIP_* variables.
import { describe, expect, test } from "bun:test";
import {
  indexUrls,
  parseIni,
  pipConfigFiles,
  resolveIndexSettings,
  PYPI_SIMPLE,
} from "../../src/core/packages/pip-config.ts";
import { PY } from "../support/env.ts";

const HOME = "/home/u";
const VENV = `/home/u/.local/python-packages/${PY.key}/venv`;

function settings(files: Record<string, string>, env: Record<string, string> = {}) {
  return resolveIndexSettings({ env, home: HOME, venv: VENV }, (path) => files[path]);
}

describe("pipConfigFiles lists pip's files, lowest precedence first", () => {
  test.each([
    [
      {},
      [
        "/etc/xdg/pip/pip.conf",
        "/etc/pip.conf",
        `${HOME}/.pip/pip.conf`,
        `${HOME}/.config/pip/pip.conf`,
        `${VENV}/pip.conf`,
      ],
    ],
    [
      { XDG_CONFIG_DIRS: "/a:/b", XDG_CONFIG_HOME: "/x" },
      [
        "/a/pip/pip.conf",
        "/b/pip/pip.conf",
        "/etc/pip.conf",
        `${HOME}/.pip/pip.conf`,
        "/x/pip/pip.conf",
        `${VENV}/pip.conf`,
      ],
    ],
    // PIP_CONFIG_FILE that exists: read last, and the user files are skipped
    [
      { PIP_CONFIG_FILE: "/exists.conf" },
      ["/etc/xdg/pip/pip.conf", "/etc/pip.conf", `${VENV}/pip.conf`, "/exists.conf"],
    ],
    // one that does not exist: the user files still count
    [
      { PIP_CONFIG_FILE: "/missing.conf" },
      [
        "/etc/xdg/pip/pip.conf",
        "/etc/pip.conf",
        `${HOME}/.pip/pip.conf`,
        `${HOME}/.config/pip/pip.conf`,
        `${VENV}/pip.conf`,
        "/missing.conf",
      ],
    ],
    [{ PIP_CONFIG_FILE: "/dev/null" }, []],
  ])("env %j", (env, expected) => {
    expect(pipConfigFiles({ env, home: HOME, venv: VENV }, (p) => p === "/exists.conf")).toEqual(expected);
  });
});

describe("parseIni reads what Python's configparser reads", () => {
  test("sections, both delimiters, comments, continuation lines, key spelling", () => {
    const text =
      "# comment\n[global]\nindex-url = http://a/simple\n; other comment\nExtra_Index_URL: http://b/simple\n  http://c/simple\n\n[install]\n--pre=true\n";
    const parsed = parseIni(text, "/p");
    expect(Object.fromEntries(parsed.get("global")!)).toEqual({
      "index-url": "http://a/simple",
      "extra-index-url": "http://b/simple\nhttp://c/simple",
    });
    expect(Object.fromEntries(parsed.get("install")!)).toEqual({ pre: "true" });
  });
  test.each([["index-url = x\n"], ["[global]\njust words\n"]])("a bad line names file and line: %j", (text) => {
    expect(() => parseIni(text, "/etc/pip.conf")).toThrow(/^\/etc\/pip\.conf:\d+: not a pip configuration line/);
  });
});

describe("resolveIndexSettings: what pip install would use", () => {
  const user = `${HOME}/.config/pip/pip.conf`;
  test.each<[string, Record<string, string>, Record<string, string>, string, string[]]>([
    ["nothing configured: PyPI", {}, {}, PYPI_SIMPLE, []],
    [
      "a global file",
      { "/etc/pip.conf": "[global]\nindex-url = http://global/simple\n" },
      {},
      "http://global/simple",
      [],
    ],
    [
      "the user file beats the global one",
      {
        "/etc/pip.conf": "[global]\nindex-url = http://global/simple\n",
        [user]: "[global]\nindex-url = http://user/simple\n",
      },
      {},
      "http://user/simple",
      [],
    ],
    [
      "[install] in a lower file beats [global] in a higher one (sections order before files)",
      {
        "/etc/pip.conf": "[install]\nindex-url = http://install/simple\n",
        [user]: "[global]\nindex-url = http://user/simple\n",
      },
      {},
      "http://install/simple",
      [],
    ],
    [
      "the venv's own pip.conf beats the user file",
      {
        [user]: "[global]\nindex-url = http://user/simple\n",
        [`${VENV}/pip.conf`]: "[global]\nindex-url = http://site/simple\n",
      },
      {},
      "http://site/simple",
      [],
    ],
    [
      "PIP_CONFIG_FILE beats the venv's file and hides the user file",
      {
        [user]: "[global]\nextra-index-url = http://user-extra/simple\n",
        "/cfg": "[global]\nindex-url = http://env-file/simple\n",
      },
      { PIP_CONFIG_FILE: "/cfg" },
      "http://env-file/simple",
      [],
    ],
    [
      "PIP_INDEX_URL beats every file",
      { [user]: "[install]\nindex-url = http://user/simple\n" },
      { PIP_INDEX_URL: "http://env/simple" },
      "http://env/simple",
      [],
    ],
    [
      "PIP_EXTRA_INDEX_URL replaces the files' list (space-separated)",
      { [user]: "[global]\nextra-index-url = http://one/simple\n  http://two/simple\n" },
      { PIP_EXTRA_INDEX_URL: "http://three/simple http://four/simple" },
      PYPI_SIMPLE,
      ["http://three/simple", "http://four/simple"],
    ],
    [
      "PIP_CONFIG_FILE=/dev/null: no file counts, the environment still does",
      { "/etc/pip.conf": "[global]\nindex-url = http://global/simple\n" },
      { PIP_CONFIG_FILE: "/dev/null", PIP_EXTRA_INDEX_URL: "http://x/simple" },
      PYPI_SIMPLE,
      ["http://x/simple"],
    ],
    [
      "an empty value is ignored, as pip does",
      { [user]: "[global]\nindex-url = http://user/simple\n" },
      { PIP_INDEX_URL: "" },
      "http://user/simple",
      [],
    ],
    [
      "sections of other commands do not count",
      { [user]: "[list]\nindex-url = http://list/simple\n" },
      {},
      PYPI_SIMPLE,
      [],
    ],
  ])("%s", (_, files, env, index, extra) => {
    const s = settings(files, env);
    expect({ index: s.indexUrl, extra: s.extraIndexUrls }).toEqual({ index, extra });
  });

  test("no-index, pre, find-links and timeout; booleans as pip's strtobool reads them", () => {
    const s = settings({ "/etc/pip.conf": "[global]\nno-index = yes\npre = on\nfind-links = /wheels\ntimeout = 3\n" });
    expect({ noIndex: s.noIndex, pre: s.pre, findLinks: s.findLinks, timeout: s.timeoutSeconds }).toEqual({
      noIndex: true,
      pre: true,
      findLinks: ["/wheels"],
      timeout: 3,
    });
    expect(indexUrls(s)).toEqual([]);
    expect(settings({}, { PIP_NO_INDEX: "0", PIP_PRE: "false" })).toMatchObject({ noIndex: false, pre: false });
    expect(() => settings({}, { PIP_PRE: "maybe" })).toThrow("pre = maybe is not a boolean");
  });

  test("proxy, cert and trusted-host, for the index requests", () => {
    const s = settings(
      { "/etc/pip.conf": "[global]\ncert = /etc/ssl/ca.pem\ntrusted-host = a.example\n  b.example:8443\n" },
      { PIP_PROXY: "http://proxy:3128" },
    );
    expect({ proxy: s.proxy, cert: s.cert, trusted: s.trustedHosts }).toEqual({
      proxy: "http://proxy:3128",
      cert: "/etc/ssl/ca.pem",
      trusted: ["a.example", "b.example:8443"],
    });
  });

  test("the files actually read are named, in order", () => {
    const s = settings({ "/etc/pip.conf": "[global]\n", [`${VENV}/pip.conf`]: "" });
    expect(s.files).toEqual(["/etc/pip.conf", `${VENV}/pip.conf`]);
  });
});
