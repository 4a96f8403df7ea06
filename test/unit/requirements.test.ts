import { describe, expect, test } from "bun:test";
import {
  evaluateMarker,
  markerEnvironment,
  parseMarker,
  parseRequirement,
  requirementApplies,
  versionSatisfies,
} from "../../src/core/packages/requirements.ts";

const env311 = {
  ...markerEnvironment("3.11.2"),
  platform_machine: "x86_64",
  sys_platform: "linux",
  platform_release: "6.1.0",
};

describe("parseRequirement", () => {
  const cases: [
    string,
    { name: string; key: string; extras: string[]; specifier: string; url?: string; markerText?: string },
  ][] = [
    ["alpha", { name: "alpha", key: "alpha", extras: [], specifier: "" }],
    ["alpha>=1.0", { name: "alpha", key: "alpha", extras: [], specifier: ">=1.0" }],
    [
      "Mixed_Case.Name (>=1.0, <2)",
      { name: "Mixed_Case.Name", key: "mixed-case-name", extras: [], specifier: ">=1.0,<2" },
    ],
    [
      "gamma[fast] ; python_version >= '3.8'",
      { name: "gamma", key: "gamma", extras: ["fast"], specifier: "", markerText: "python_version >= '3.8'" },
    ],
    ["gamma[Fast_Path, docs]>=1", { name: "gamma", key: "gamma", extras: ["fast-path", "docs"], specifier: ">=1" }],
    [
      'delta ; extra == "fast"',
      { name: "delta", key: "delta", extras: [], specifier: "", markerText: 'extra == "fast"' },
    ],
    [
      "pkg @ https://example.org/pkg-1.0.whl ; sys_platform == 'linux'",
      {
        name: "pkg",
        key: "pkg",
        extras: [],
        specifier: "",
        url: "https://example.org/pkg-1.0.whl",
        markerText: "sys_platform == 'linux'",
      },
    ],
    ["pkg@file:///tmp/a;b.whl", { name: "pkg", key: "pkg", extras: [], specifier: "", url: "file:///tmp/a;b.whl" }],
  ];
  for (const [text, want] of cases) {
    test(text, () => {
      const req = parseRequirement(text);
      expect({
        name: req.name,
        key: req.key,
        extras: req.extras,
        specifier: req.specifier,
        ...(req.url ? { url: req.url } : {}),
        ...(req.markerText ? { markerText: req.markerText } : {}),
      }).toEqual(want);
    });
  }
  for (const bad of [
    "",
    ">=1.0",
    "alpha >= banana",
    "alpha[fast",
    "alpha ; python_version ~",
    "alpha ; bogus_var == '1'",
  ]) {
    test(`rejects ${JSON.stringify(bad)}`, () => expect(() => parseRequirement(bad)).toThrow());
  }
});

describe("evaluateMarker", () => {
  const cases: [string, boolean][] = [
    ['python_version < "3.0"', false],
    ['python_version >= "3.8"', true],
    ['python_version == "3.11"', true],
    ['python_version > "3.9"', true], // as versions: "3.11" > "3.9" (as strings it would be false)
    ['python_full_version >= "3.11.3"', false],
    ['python_full_version == "3.11.*"', true],
    ['"3.12" > python_version', true],
    ['python_version ~= "3.8"', true],
    ['python_version != "3.11" or sys_platform == "linux"', true],
    ['python_version != "3.11" and sys_platform == "linux"', false],
    ['(python_version < "3" or os_name == "posix") and platform_system == "Linux"', true],
    ['os_name == "nt" or os_name == "posix" and implementation_name == "pypy"', false],
    ['sys_platform == "win32"', false],
    ['"linux" in sys_platform', true],
    ['"win" not in sys_platform', true],
    ['platform_machine == "x86_64"', true],
    ['platform_python_implementation == "CPython"', true],
    ['platform.python_implementation == "CPython"', true],
    ['platform_release >= "5.0"', true],
    ['extra == "fast"', false],
  ];
  for (const [text, want] of cases) test(text, () => expect(evaluateMarker(parseMarker(text), env311)).toBe(want));

  test("extras are compared normalised", () => {
    expect(evaluateMarker(parseMarker('extra == "Fast_Path"'), { ...env311, extra: "fast-path" })).toBe(true);
    expect(evaluateMarker(parseMarker("extra == 'fast.path'"), { ...env311, extra: "fast_path" })).toBe(true);
  });
});

describe("requirementApplies and versionSatisfies", () => {
  const delta = parseRequirement('delta ; extra == "fast"');
  const epsilon = parseRequirement('epsilon ; python_version < "3.0"');
  test("an extra's requirement counts only with that extra", () => {
    expect(requirementApplies(delta, env311)).toBe(false);
    expect(requirementApplies(delta, env311, ["docs"])).toBe(false);
    expect(requirementApplies(delta, env311, ["docs", "fast"])).toBe(true);
  });
  test("a marker that fails for this Python never counts", () => {
    expect(requirementApplies(epsilon, env311, ["fast"])).toBe(false);
    expect(requirementApplies(epsilon, markerEnvironment("2.7.18"))).toBe(true);
  });
  const versions: [string, string, boolean][] = [
    ["alpha>=1.0", "2.0", true],
    ["alpha>=1.0,<2", "2.0", false],
    ["alpha~=1.0", "1.1", true],
    ["alpha==1.*", "1.1", true],
    ["alpha>=1.0", "2.0rc1", true], // pip check counts installed prereleases
    ["alpha!=1.1", "1.1", false],
    ["alpha", "whatever-version", true],
    ["alpha===weird", "weird", true],
    ["alpha>=1.0", "weird", false],
  ];
  for (const [text, version, want] of versions) {
    test(`${text} with ${version}`, () => expect(versionSatisfies(parseRequirement(text), version)).toBe(want));
  }
});
