// The fault matrix (issue 9): every operation that changes a venv, interrupted at every
// PYCTL_TEST_PAUSE phase by Ctrl-C to its process group, a closed terminal (SIGHUP) and
// kill -9 of the group, and run on a disk that fills up. A case survives when the venv holds its
// complete before- or after-state (a torn pip write: marked, named by doctor, undone), history
// reads, the next write cleans up, and imports and console scripts work.
import { afterAll, beforeAll, describe, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { PY } from "../support/env.ts";
import { isRoot, titled } from "../support/skip.ts";
import {
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
    prepare: (venv) => rmSync(join(venv, "bin", "python")),
    next: ["doctor", "--fix"], // pip refuses a venv without bin/python (and names this repair)
  },
  { name: "pip install", args: ["pip", "--", "install", "gamma"], kind: "pip", phases: PIP_WRITE },
];

/** PYCTL_FAULTS=TEXT runs only the cases whose name contains TEXT (when debugging one). */
const chosen = (cases: Case[]) => cases.filter((c) => caseName(c).includes(process.env.PYCTL_FAULTS ?? ""));
const signalCases = (op: Operation): Case[] =>
  chosen(op.phases.flatMap((phase) => SIGNALS.map((signal) => ({ op, fault: { phase, signal } }))));
/** A full disk is a tmpfs mounted over the lane's home: root only. */
const diskCases = (op: Operation): Case[] => chosen(DISK_FREE.map((diskFree) => ({ op, fault: { diskFree } })));
const casesOf = (op: Operation): Case[] => [...signalCases(op), ...(isRoot ? diskCases(op) : [])];

/** alpha, beta upgraded; epsilon gone; delta an orphaned dependency; snapshot "orig" has the old set. */
async function shared(lane: Lane): Promise<void> {
  const step = async (args: string[]) => {
    const r = await pyctl(lane.sb, args);
    if (r.code !== 0) throw new Error(`${args.join(" ")}: ${r.err}`);
  };
  await step(["init", "--python", PY.exe]);
  await step(["pip", "--", "install", "-q", "alpha==1.0", "beta==1.0", "epsilon==1.0"]);
  await step(["snapshot", "orig"]);
  await step(["pip", "--", "install", "-q", "alpha==2.0", "beta==2.0", "gamma[fast]"]);
  await step(["pip", "--", "uninstall", "-q", "-y", "epsilon", "gamma"]);
}

describe("fault matrix", () => {
  let lanes: Lane[];
  const lost: string[] = [];
  let tried = 0;

  beforeAll(async () => {
    const needed = OPERATIONS.filter((op) => casesOf(op).length > 0);
    lanes = await Promise.all([new Lane(), new Lane()].map((lane) => lane.setUp(needed, shared)));
  });

  afterAll(async () => {
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
