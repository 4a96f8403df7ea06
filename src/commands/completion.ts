/**
 * Completion words for a partly typed `pyctl …` line, straight from the command table: the
 * completion scripts in completions/ only ask `pyctl complete -- WORDS…` and show the answer.
 * Snapshot names, history ids, versions and packages are read when asked, so they are current.
 */
import { readdirSync } from "node:fs";
import { COMMANDS, findCommand } from "./index.ts";
import type { ArgKind, OptionSpec } from "./spec.ts";
import { CONFIG_KEYS } from "../core/base/config.ts";
import { listHistory } from "../core/recording/history.ts";
import { Layout, versionsIn } from "../core/base/paths.ts";
import { listSnapshotNames } from "../core/recording/snapshots.ts";
import { inventoryOf, targetFor } from "../core/recording/target.ts";
import { graphOf } from "../core/recording/graph.ts";
import { defaultVersionFact, pythonFacts } from "../shell/facts.ts";
import { SHELLS } from "../shell/hook.ts";

export interface Candidate {
  word: string;
  description?: string;
}

/** `files`: let the shell complete file names instead. */
export type Completion = { files: true } | { files: false; candidates: Candidate[] };

const none: Completion = { files: false, candidates: [] };
const FILES: Completion = { files: true };

function words(list: Candidate[]): Completion {
  return { files: false, candidates: list };
}

/** What the line says so far about the command being completed. */
interface LineState {
  option?: OptionSpec;
  positional: number;
  afterDashDash: boolean;
  used: Set<string>;
  python?: string;
}

function readLine(options: OptionSpec[], typed: string[]): LineState {
  const state: LineState = { positional: 0, afterDashDash: false, used: new Set() };
  for (const word of typed) {
    if (state.option) {
      if (state.option.flag === "--python") state.python = word;
      state.option = undefined;
    } else if (state.afterDashDash || !word.startsWith("-") || word === "-") {
      state.positional++;
    } else if (word === "--") {
      state.afterDashDash = true;
    } else {
      const [flag, inline] = word.split(/=(.*)/s) as [string, string | undefined];
      const option = options.find((o) => o.flag === flag);
      state.used.add(flag);
      if (flag === "--python" && inline !== undefined) state.python = inline;
      if (option?.value && inline === undefined) state.option = option;
    }
  }
  return state;
}

export class CompletionSources {
  readonly layout = new Layout();

  snapshots(): Candidate[] {
    return listSnapshotNames(this.layout.snapshotsDir).map((word) => ({ word }));
  }

  async version(requested?: string): Promise<string> {
    return requested ?? (await defaultVersionFact(this.layout));
  }

  async historyIds(python?: string): Promise<Candidate[]> {
    const dir = this.layout.historyDir(await this.version(python));
    // The newest ones: a history of a thousand entries is not read at every TAB.
    return listHistory(dir, 100).map((item) => ({
      word: String(item.id),
      description: item.after?.command ?? item.before?.command,
    }));
  }

  /** History points (#ID with its command), `now` and snapshot names. */
  async points(python?: string): Promise<Candidate[]> {
    // Oldest first, as numbers: the shells keep this order when the first word is an id.
    const ids = (await this.historyIds(python))
      .map((c) => ({ ...c, word: `#${c.word}` }))
      .sort((a, b) => Number(a.word.slice(1)) - Number(b.word.slice(1)));
    return [...ids, { word: "now", description: "the venv as it is" }, ...this.snapshots()];
  }

  pythons(): Candidate[] {
    let withVenv: string[] = [];
    try {
      withVenv = versionsIn(readdirSync(this.layout.home));
    } catch {
      // no tier yet
    }
    const found = pythonFacts(this.layout).map((p) => p.version);
    return [...new Set([...withVenv, ...found])].map((word) => ({ word }));
  }

  async packages(python?: string): Promise<Candidate[]> {
    const target = targetFor(this.layout, await this.version(python));
    try {
      return inventoryOf(target).map((dist) => ({ word: dist.name, description: dist.version }));
    } catch {
      return [];
    }
  }

  /** Packages the user asked for (pip's REQUESTED marker or history), for `pyctl upgrade`. */
  async explicitPackages(python?: string): Promise<Candidate[]> {
    const target = targetFor(this.layout, await this.version(python));
    try {
      return [...graphOf(target).values()]
        .filter((n) => n.explicit)
        .map((n) => ({ word: n.dist.name, description: n.dist.version }));
    } catch {
      return [];
    }
  }
}

async function kindWords(kind: ArgKind | undefined, state: LineState, sources: CompletionSources): Promise<Completion> {
  switch (kind) {
    case "snapshot":
      return words(sources.snapshots());
    case "history-id":
      return words(await sources.historyIds(state.python));
    case "point":
      return words(await sources.points(state.python));
    case "shell":
      return words(SHELLS.map((word) => ({ word })));
    case "config-key":
      return words(Object.entries(CONFIG_KEYS).map(([word, spec]) => ({ word, description: spec.summary })));
    case "package":
      return words(await sources.packages(state.python));
    case "explicit-package":
      return words(await sources.explicitPackages(state.python));
    case "python":
      return words(sources.pythons());
    case "file":
      return FILES;
    default:
      return none;
  }
}

async function optionValues(option: OptionSpec, sources: CompletionSources, python?: string): Promise<Completion> {
  if (option.choices) return words(option.choices.map((word) => ({ word })));
  if (option.flag === "--python") return words(sources.pythons());
  if (option.value === "POINT") return words(await sources.points(python));
  return /FILE|PATH|DIR/.test(option.value ?? "") ? FILES : none;
}

/** `typed` is the line after `pyctl`; its last word is the one being completed (maybe ""). */
export async function complete(typed: string[], sources = new CompletionSources()): Promise<Completion> {
  const current = typed.at(-1) ?? "";
  const before = typed.slice(0, -1);
  if (before.length === 0) {
    if (current.startsWith("-")) return words([{ word: "--help" }, { word: "--version" }]);
    return words(COMMANDS.filter((c) => !c.hidden).map((c) => ({ word: c.name, description: c.summary })));
  }
  const spec = findCommand(before[0]!);
  if (!spec || spec.hidden) return none;
  const state = readLine(spec.options, before.slice(1));
  if (state.option) return optionValues(state.option, sources, state.python);
  const options = spec.options
    .filter((o) => !state.used.has(o.flag))
    .map((o) => ({ word: o.flag, description: o.summary }));
  if (current.startsWith("-") && !state.afterDashDash)
    return words([...options, { word: "--help", description: "show this command's usage" }]);
  const last = spec.positionals.at(-1);
  const positional = spec.positionals[state.positional] ?? (last?.rest ? last : undefined);
  if (!positional) return words(options);
  return kindWords(positional.kind, state, sources);
}
