// The fault matrix (issue 9): every operation that changes a venv, interrupted at every
// PYCTL_TEST_PAUSE phase by Ctrl-C to its process group, a closed terminal (SIGHUP) and
// kill -9 of the group, and run on a disk that fills up. A case survives when the venv holds its
// complete before- or after-state (a torn pip write: marked, named by doctor, undone), history
// reads, the next write cleans up, and imports and console scripts work. The machine's CPUs are
// kept busy meanwhile (PYCTL_FAULTS_LOAD burners, default one per CPU), as on a loaded CI runner.
import { afterAll, beforeAll, describe, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PY } from "../support/env.ts";
import { isRoot, titled } from "../support/skip.ts";
import { writeProject } from "../support/project.ts";
import {
  burnCpus,
  caseName,
  exec,
  Lane,
  pyctl,
  runOnLanes,
  type Case,
  type Operation,
  type Signal,
} from "../support/fault-matrix.ts";

const TRANSACTION = ["claimed", "staged", "applied", "fetched", "verified", "exchanged", "acted"];
const PIP_WRITE = ["claimed", "acted"];
const SIGNALS: Signal[] = ["SIGINT", "SIGHUP", "SIGKILL"];
/** Bytes left on the tmpfs: none at all, room for the before-state only, a little more. */
const DISK_FREE = [0, 8 * 1024, 64 * 1024];

const EDIT = "EDITED_IN_PLACE = True\n";
const alphaModule = (venv: string) => join(venv, PY.site, "alpha.py");

/**
 * alpha 1.0's stored alpha.py as an in-place write through its hardlink leaves it (issue 21): the
 * edit is written as a new file, since the lane's templates share inodes (`cp -al`).
 */
function editStoredAlpha(venv: string): void {
  const store = join(venv, "..", "store", "alpha");
  const entry = readdirSync(store).find((e) => e.startsWith("1.0"));
  const file = join(store, entry!, "files", PY.site, "alpha.py");
  const edited = readFileSync(file, "utf8") + EDIT;
  rmSync(file);
  writeFileSync(file, edited);
}

/**
 * adopt's source, epsilon 1.0 from `pip install --user` (shared): after any fault and the next
 * write, whole in ~/.local, or gone from it and in the venv with the copy adopt keeps for undo.
 */
function epsilonProblems(venv: string): string[] {
  const siteOf = (root: string) => join(root, "lib", `python${PY.version}`, "site-packages");
  const site = siteOf(join(venv, "..", "..", ".."));
  const files = ["epsilon.py", "epsilon-1.0.dist-info/METADATA", "epsilon-1.0.dist-info/RECORD"];
  const present = files.filter((f) => existsSync(join(site, f)));
  if (present.length === files.length) return [];
  if (present.length) return [`~/.local holds part of epsilon: ${present.join(", ")}`];
  const adopted = join(venv, "..", "adopted");
  const kept = readdirSync(adopted).some((id) => existsSync(join(siteOf(join(adopted, id, "files")), "epsilon.py")));
  const moved = existsSync(join(siteOf(venv), "epsilon.py"));
  return moved && kept ? [] : [`epsilon left ~/.local but is ${moved ? "not kept for undo" : "not in the venv"}`];
}

/** Adding an operation is one line; the shared before-state is built in beforeAll. */
const OPERATIONS: Operation[] = [
  { name: "undo", args: ["undo"], kind: "transaction", phases: TRANSACTION },
  { name: "restore", args: ["restore", "orig"], kind: "transaction", phases: TRANSACTION },
  { name: "clean", args: ["clean", "--yes"], kind: "transaction", phases: TRANSACTION },
  { name: "autoremove", args: ["autoremove"], kind: "transaction", phases: TRANSACTION },
  { name: "rebuild", args: ["rebuild"], kind: "transaction", phases: TRANSACTION },
  {
    name: "doctor --fix",
    args: ["doctor", "--fix"],
    kind: "transaction",
    phases: TRANSACTION,
    // One repair, so one transaction: without the hand-made files, which `--fix` would prune too.
    prepare: (venv) => {
      rmSync(join(venv, "bin", "python"));
      const site = join(venv, PY.site);
      for (const name of ["mine.py", "dangling.py", Buffer.from(`${site}/caf\xe9.py`, "latin1")])
        rmSync(typeof name === "string" ? join(site, name) : name);
    },
    next: ["doctor", "--fix"], // pip refuses a venv without bin/python (and names this repair)
  },
  { name: "pip install", args: ["pip", "--", "install", "gamma"], kind: "pip", phases: PIP_WRITE },
  {
    name: "adopt",
    args: ["adopt", "--yes"],
    kind: "transaction",
    phases: [...TRANSACTION, "removing"],
    check: epsilonProblems,
  },
  // Back past the reinstall of rebuiltlib: its first build comes back from the store (issue 21).
  { name: "undo to an earlier build", args: ["undo", "2"], kind: "transaction", phases: TRANSACTION },
  {
    name: "restore over an edited store file",
    args: ["restore", "orig"],
    kind: "transaction",
    phases: TRANSACTION,
    prepare: editStoredAlpha,
    check: (venv) =>
      existsSync(alphaModule(venv)) && readFileSync(alphaModule(venv), "utf8").includes(EDIT)
        ? ["alpha.py edited in place was served back"]
        : [],
  },
];

/** PYCTL_FAULTS=TEXT runs only the cases whose name contains TEXT (when debugging one). */
const chosen = (cases: Case[]) => cases.filter((c) => caseName(c).includes(process.env.PYCTL_FAULTS ?? ""));
const signalCases = (op: Operation): Case[] =>
  chosen(op.phases.flatMap((phase) => SIGNALS.map((signal) => ({ op, fault: { phase, signal } }))));
/** A full disk is a tmpfs mounted over the lane's home: root only. */
const diskCases = (op: Operation): Case[] => chosen(DISK_FREE.map((diskFree) => ({ op, fault: { diskFree } })));
const casesOf = (op: Operation): Case[] => [...signalCases(op), ...(isRoot ? diskCases(op) : [])];

/**
 * Files pip leaves alone, which every operation must carry or handle as pip does (issue 21): a
 * hand-written module, a dangling symlink beside it, a file name that is not UTF-8, and a
 * truncated direct_url.json and INSTALLER in one dist-info.
 */
function oddInputs(lane: Lane): void {
  const site = join(lane.venv, PY.site);
  writeFileSync(join(site, "mine.py"), "VALUE = 42\n");
  symlinkSync(join(site, "gone.py"), join(site, "dangling.py"));
  writeFileSync(Buffer.from(`${site}/caf\xe9.py`, "latin1"), "x = 1\n");
  writeFileSync(join(site, "beta-2.0.dist-info", "direct_url.json"), '{"url": "file:///tmp/b');
  writeFileSync(join(site, "beta-2.0.dist-info", "INSTALLER"), Buffer.from([0xff, 0xfe, 0]));
}

/**
 * alpha, beta upgraded; epsilon gone; delta an orphaned dependency; snapshot "orig" has the old
 * set; rebuiltlib 1.0 installed in two builds, one after the other; the odd inputs in place before
 * the last operation, so it recorded them; epsilon 1.0 in the user site, for adopt.
 */
async function shared(lane: Lane): Promise<void> {
  const step = async (args: string[]) => {
    const r = await pyctl(lane.sb, args);
    if (r.code !== 0) throw new Error(`${args.join(" ")}: ${r.err}`);
  };
  await step(["init", "--python", PY.exe]);
  await step(["pip", "--", "install", "-q", "alpha==1.0", "beta==1.0", "epsilon==1.0"]);
  await step(["snapshot", "orig"]);
  await step(["pip", "--", "install", "-q", "alpha==2.0", "beta==2.0", "gamma[fast]"]);
  // Two builds of rebuiltlib 1.0: a local project installed, changed, and installed again. The
  // second build's module is longer, so a file set that mixes the two builds shows it.
  const project = writeProject(join(lane.sb.dir, "rebuiltlib-src"), "rebuiltlib", "1.0", "rebuiltlib");
  await step(["pip", "--", "install", "-q", project]);
  writeFileSync(join(project, "rebuiltlib.py"), 'VALUE = "the second build of rebuiltlib"\n');
  await step(["pip", "--", "install", "-q", "--force-reinstall", "--no-deps", project]);
  oddInputs(lane);
  await step(["pip", "--", "uninstall", "-q", "-y", "epsilon", "gamma"]);
  const user = await exec(lane.sb, [
    PY.exe,
    "-m",
    "pip",
    "install",
    "-q",
    "--user",
    "--break-system-packages",
    "epsilon==1.0",
  ]);
  if (user.code !== 0) throw new Error(`pip install --user epsilon: ${user.err}`);
}

describe("fault matrix", () => {
  let lanes: Lane[];
  const lost: string[] = [];
  let tried = 0;

  let stopBurning = () => {};

  beforeAll(async () => {
    stopBurning = burnCpus();
    const needed = OPERATIONS.filter((op) => casesOf(op).length > 0);
    lanes = await Promise.all([new Lane(), new Lane()].map((lane) => lane.setUp(needed, shared)));
  }, 900_000); // every template is built first, on the loaded machine

  afterAll(async () => {
    stopBurning();
    console.log(`fault matrix: ${tried} cases tried, ${tried - lost.length} survived, ${lost.length} lost`);
    for (const name of lost) console.log(`  lost: ${name}`);
    for (const lane of lanes ?? []) await exec(lane.sb, ["rm", "-rf", lane.sb.dir], {}, "/");
  });

  const kinds = [
    ["signals", signalCases, true],
    ["disk full", diskCases, isRoot],
  ] as const;
  for (const op of OPERATIONS) {
    for (const [kind, cases] of kinds) {
      if (cases(op).length === 0) continue; // PYCTL_FAULTS left none of its cases
      const [canRun, title] = titled(`${op.name}: ${cases(op).length} faults (${kind})`, {
        "root (to mount a tmpfs)": kind === "signals" || isRoot,
      });
      test.if(canRun)(
        title,
        async () => {
          await check(cases(op));
        },
        600_000,
      );
    }
  }

  async function check(cases: Case[]): Promise<void> {
    const results = await runOnLanes(lanes, cases);
    const wrong: string[] = [];
    for (const [c, problems] of results) {
      const name = caseName(c);
      tried += 1;
      if (!problems.length) continue;
      lost.push(name);
      wrong.push(`${name}:\n    ${problems.join("\n    ")}`);
    }
    if (wrong.length) throw new Error(wrong.join("\n"));
  }
});
