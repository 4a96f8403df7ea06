// The one freeze/requirement line parser, and its readers agreeing on the same lines (issue 16, bug 3).
import { describe, expect, test } from "bun:test";
import { exportedOf } from "../../src/core/export/export.ts";
import { isPinned, parseFreezeLine } from "../../src/core/packages/freeze-line.ts";
import { parseRequirement } from "../../src/core/packages/requirements.ts";
import { missingPackage } from "../../src/core/recording/history.ts";
import { parseSnapshotText } from "../../src/core/recording/snapshots.ts";
import { parseWanted } from "../../src/core/transaction/plan.ts";

describe("parseFreezeLine", () => {
  test.each([
    ["alpha==1.0", { name: "alpha", key: "alpha", extras: [], specifier: "==1.0", version: "1.0", pinOperator: "==" }],
    ["Mixed_Case.Name==1.0", { name: "Mixed_Case.Name", key: "mixed-case-name", version: "1.0" }],
    ["gamma[fast]==1.0", { name: "gamma", extras: ["fast"], version: "1.0" }],
    ["gamma[ fast , Docs ] == 1.0", { extras: ["fast", "Docs"], version: "1.0", specifier: "==1.0" }],
    ['kappa==1.0 ; python_version < "4"', { name: "kappa", version: "1.0", marker: 'python_version < "4"' }],
    ["kappa==1.0;python_version<'4'", { name: "kappa", version: "1.0", marker: "python_version<'4'" }],
    ["weird===not.pep440!", { name: "weird", version: "not.pep440!", pinOperator: "===" }],
    ["legacy==2013b", { version: "2013b", pinOperator: "==" }],
    ["alpha==1.*", { specifier: "==1.*", version: undefined }],
    ["alpha>=1.0,<2", { specifier: ">=1.0,<2", version: undefined }],
    ["alpha (>=1.0, <2)", { specifier: ">=1.0,<2" }],
    ["alpha", { name: "alpha", specifier: "", version: undefined, url: undefined }],
    ["alpha==1.0 --hash=sha256:ab", { version: "1.0", options: ["--hash=sha256:ab"] }],
    ["alpha==1.0  # a note", { version: "1.0", specifier: "==1.0" }],
    [
      "delta[x] @ file:///w/delta-1.0-py3-none-any.whl ; os_name == 'posix'",
      { name: "delta", extras: ["x"], url: "file:///w/delta-1.0-py3-none-any.whl", marker: "os_name == 'posix'" },
    ],
    ["pkg@file:///tmp/a;b.whl", { name: "pkg", url: "file:///tmp/a;b.whl", marker: undefined }],
    ["-e /src/projx", { name: "", key: "", url: "/src/projx", editable: true }],
    ["--editable=/src/projx", { url: "/src/projx", editable: true }],
    ["-e git+https://x/y.git@abc#egg=Proj_X", { name: "Proj_X", key: "proj-x", editable: true }],
    ["./local/pkg", { name: "", url: "./local/pkg", editable: false }],
    ["https://h/pkg-1.0-py3-none-any.whl", { name: "", url: "https://h/pkg-1.0-py3-none-any.whl" }],
    ["pkg-1.0-py3-none-any.whl", { name: "", url: "pkg-1.0-py3-none-any.whl" }],
  ])("%s", (line, expected) => {
    const parsed = parseFreezeLine(line) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) expect([key, parsed[key]]).toEqual([key, value]);
  });

  test.each(["", "# comment", "--index-url https://x", "-r other.txt", "alpha foo", "alpha[fast", "=="])(
    "not a requirement: %p",
    (line) => {
      expect(parseFreezeLine(line)).toBeUndefined();
    },
  );

  test.each([
    ["alpha==1.0", true],
    ["gamma[fast]==1.0", true],
    ['kappa==1.0 ; python_version < "4"', true],
    ["delta @ file:///w/d.whl", true],
    ["-e /src/projx", true],
    ["alpha>=1.0", false],
    ["alpha", false],
    ["./local/pkg", false],
  ])("isPinned(%p) is %p", (line, pinned) => {
    expect(isPinned(parseFreezeLine(line)!)).toBe(pinned);
  });
});

describe("every reader gives one line the same name and version", () => {
  test.each([
    ["gamma[fast]==1.0", "gamma", "1.0"],
    ['kappa==1.0 ; python_version < "4"', "kappa", "1.0"],
    ["Big_Pkg[x]===1.0-custom", "Big_Pkg", "1.0-custom"],
    ["delta @ file:///w/delta-1.0-py3-none-any.whl", "delta", undefined],
    ["-e git+https://x/y.git@abc#egg=projx", "projx", undefined],
  ])("%s", (line, name, version) => {
    expect(missingPackage(line)).toEqual(version === undefined ? { name } : { name, version });
    expect(parseWanted(line)).toMatchObject({ name, ...(version ? { version } : {}) });
    expect(exportedOf(line)).toMatchObject({ name, lines: [line], ...(version ? { version } : {}) });
    expect(parseSnapshotText("s.txt", `${line}\n`, "s").lines).toEqual([line]);
    if (!line.startsWith("-e")) expect(parseRequirement(line).name).toBe(name);
  });
});
