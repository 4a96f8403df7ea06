// Index pages (PEP 503 HTML, PEP 691 JSON), the files they list, and which version pip would pick.
import { describe, expect, test } from "bun:test";
import {
  candidateOf,
  displayUrl,
  newestVersion,
  parseSimpleHtml,
  parseSimpleJson,
  type IndexFile,
} from "../../src/core/packages/index-client.ts";
import { describeConflict, parseConflict, parseInstallReport } from "../../src/core/packages/pip-report.ts";

const PAGE = "https://idx.example/simple/kappa/";
const TAGS = new Set([
  "cp311-cp311-manylinux_2_17_x86_64",
  "cp311-abi3-manylinux_2_17_x86_64",
  "py3-none-any",
  "py311-none-any",
]);
const RULES = { tags: TAGS, pythonVersion: "3.11.2", allowPre: false };

function file(filename: string, extra: Partial<IndexFile> = {}): IndexFile {
  return { filename, url: `https://files.example/${filename}`, yanked: false, ...extra };
}

describe("parseSimpleHtml", () => {
  test("links, relative URLs, escaped data-requires-python, data-yanked with or without a reason", () => {
    const html = `<!DOCTYPE html><html><body>
      <a href="../../files/kappa-1.0-py3-none-any.whl#sha256=ab">kappa-1.0-py3-none-any.whl</a><br>
      <a data-requires-python="&gt;=3.99" href="/files/kappa-3.0-py3-none-any.whl">kappa-3.0-py3-none-any.whl</a>
      <a href='https://cdn.example/k/kappa-2.6.tar.gz' data-yanked="broken build">kappa-2.6.tar.gz</a>
      <A HREF="kappa-2.7.zip" data-yanked>kappa-2.7.zip</A>
    </body></html>`;
    expect(parseSimpleHtml(html, PAGE)).toEqual([
      {
        filename: "kappa-1.0-py3-none-any.whl",
        url: "https://idx.example/files/kappa-1.0-py3-none-any.whl#sha256=ab",
        requiresPython: undefined,
        yanked: false,
      },
      {
        filename: "kappa-3.0-py3-none-any.whl",
        url: "https://idx.example/files/kappa-3.0-py3-none-any.whl",
        requiresPython: ">=3.99",
        yanked: false,
      },
      {
        filename: "kappa-2.6.tar.gz",
        url: "https://cdn.example/k/kappa-2.6.tar.gz",
        requiresPython: undefined,
        yanked: true,
      },
      {
        filename: "kappa-2.7.zip",
        url: "https://idx.example/simple/kappa/kappa-2.7.zip",
        requiresPython: undefined,
        yanked: true,
      },
    ]);
  });
  test("a link that is not a URL is skipped", () => {
    expect(
      parseSimpleHtml('<a href="http://[bad">x</a><a href="ok-1.0.tar.gz">ok</a>', PAGE).map((f) => f.filename),
    ).toEqual(["ok-1.0.tar.gz"]);
  });
  test("a <base href> moves relative links", () => {
    const [f] = parseSimpleHtml('<base href="https://mirror.example/pkgs/"><a href="kappa-1.0.tar.gz">x</a>', PAGE);
    expect(f!.url).toBe("https://mirror.example/pkgs/kappa-1.0.tar.gz");
  });
});

describe("parseSimpleJson (PEP 691)", () => {
  test("requires-python, yanked as a boolean or a reason", () => {
    const json = JSON.stringify({
      meta: { "api-version": "1.1" },
      name: "kappa",
      files: [
        {
          filename: "kappa-1.0-py3-none-any.whl",
          url: "/files/kappa-1.0-py3-none-any.whl",
          hashes: {},
          "requires-python": ">=3.8",
        },
        {
          filename: "kappa-2.0-py3-none-any.whl",
          url: "https://f.example/kappa-2.0-py3-none-any.whl",
          hashes: {},
          yanked: "oops",
        },
        { filename: "kappa-2.1.tar.gz", url: "kappa-2.1.tar.gz", hashes: {}, yanked: false, "requires-python": null },
      ],
    });
    expect(parseSimpleJson(json, PAGE)).toEqual([
      {
        filename: "kappa-1.0-py3-none-any.whl",
        url: "https://idx.example/files/kappa-1.0-py3-none-any.whl",
        requiresPython: ">=3.8",
        yanked: false,
      },
      {
        filename: "kappa-2.0-py3-none-any.whl",
        url: "https://f.example/kappa-2.0-py3-none-any.whl",
        requiresPython: undefined,
        yanked: true,
      },
      {
        filename: "kappa-2.1.tar.gz",
        url: "https://idx.example/simple/kappa/kappa-2.1.tar.gz",
        requiresPython: undefined,
        yanked: false,
      },
    ]);
  });
});

describe("candidateOf reads a file name for one project", () => {
  test.each<[string, string, string | undefined, string[] | undefined]>([
    ["kappa-1.0-py3-none-any.whl", "kappa", "1.0", ["py3-none-any"]],
    ["Mixed_Case.Name-1.0-py2.py3-none-any.whl", "mixed-case-name", "1.0", ["py2-none-any", "py3-none-any"]],
    [
      "kappa-2.0-1build-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
      "kappa",
      "2.0",
      ["cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"],
    ],
    ["kappa-1.0-py3-none-any.whl", "lamda", undefined, undefined],
    ["my-pkg-2.0.tar.gz", "my-pkg", "2.0", undefined],
    ["my_pkg-2.0rc1.zip", "my-pkg", "2.0rc1", undefined],
    ["kappa-1.0.RC2.tar.gz", "kappa", "1.0rc2", undefined],
    ["kappa-1.0.exe", "kappa", undefined, undefined],
    ["kappa-not.a.version.tar.gz", "kappa", undefined, undefined],
  ])("%s for %s", (name, key, version, tags) => {
    const c = candidateOf(file(name), key);
    expect(c && { version: c.version, tags: c.tags }).toEqual(version === undefined ? undefined : { version, tags });
  });
});

describe("newestVersion: the version pip could install here", () => {
  const files = [
    file("kappa-1.0-py3-none-any.whl"),
    file("kappa-1.1.tar.gz"),
    file("kappa-2.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
    file("kappa-2.1rc1-py3-none-any.whl"),
    file("kappa-2.5-py2-none-any.whl"),
    file("kappa-2.6-py3-none-any.whl", { yanked: true }),
    file("kappa-3.0-py3-none-any.whl", { requiresPython: ">=3.12" }),
    file("kappa-3.1-cp312-cp312-manylinux_2_17_x86_64.whl"),
  ];
  test.each<[string, Partial<typeof RULES>, string | undefined]>([
    ["yanked, other tags, unmet Requires-Python and pre-releases left out", {}, "2.0"],
    ["pre-releases allowed", { allowPre: true }, "2.1rc1"],
    [
      "Requires-Python met on 3.12 (but the cp311 wheels no longer fit)",
      { pythonVersion: "3.12.1", tags: new Set(["py3-none-any"]) },
      "3.0",
    ],
    ["only pure wheels and sdists fit", { tags: new Set(["py3-none-any"]) }, "1.1"],
  ])("%s", (_, rules, expected) => {
    expect(newestVersion(files, "kappa", { ...RULES, ...rules })).toBe(expected);
  });
  test("nothing installable: undefined", () => {
    expect(newestVersion([file("kappa-2.6-py3-none-any.whl", { yanked: true })], "kappa", RULES)).toBeUndefined();
  });
  test("a Requires-Python pip cannot parse does not exclude the file", () => {
    expect(newestVersion([file("kappa-4.0.tar.gz", { requiresPython: ">=3.6.*" })], "kappa", RULES)).toBe("4.0");
  });
});

test("displayUrl leaves credentials out", () => {
  expect(displayUrl("https://user:secret@idx.example/simple/")).toBe("https://idx.example/simple/");
});

describe("pip's answers", () => {
  test("the --report JSON of a dry run", () => {
    const report = JSON.stringify({
      version: "1",
      install: [
        { requested: true, metadata: { name: "Kappa", version: "1.1", requires_dist: ["nu<2"] } },
        { requested: false, metadata: { name: "nu", version: "2.0" } },
      ],
    });
    expect(parseInstallReport(report)).toEqual([
      { name: "Kappa", key: "kappa", version: "1.1", requested: true, requiresDist: ["nu<2"] },
      { name: "nu", key: "nu", version: "2.0", requested: false, requiresDist: [] },
    ]);
  });
  test("ResolutionImpossible: which requirement blocks which upgrade", () => {
    const stderr = [
      "ERROR: Cannot install kappa>1.1 and lamda==1.0 because these package versions have conflicting dependencies.",
      "",
      "The conflict is caused by:",
      "    The user requested kappa>1.1",
      "    lamda 1.0 depends on kappa<2",
      "",
      "To fix this you could try to:",
      "1. loosen the range of package versions you've specified",
      "",
      "ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts",
    ].join("\n");
    const conflict = parseConflict(stderr)!;
    expect(conflict).toEqual({
      requested: ["kappa>1.1"],
      dependencies: [{ from: "lamda", version: "1.0", requirement: "kappa<2" }],
    });
    expect(describeConflict(conflict)).toEqual(["lamda 1.0 requires kappa<2, which blocks kappa>1.1"]);
    expect(parseConflict("ERROR: No matching distribution found for kappa>9")).toBeUndefined();
  });
});
