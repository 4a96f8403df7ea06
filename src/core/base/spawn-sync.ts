/**
 * node:child_process's spawnSync, loaded on the first call: the module costs a compiled pyctl
 * about 2.4 ms to load, and the pip-write path imports modules (inventory, interpreter, venv)
 * that spawn only in rare cases (a VCS install's git, a probe, a venv to create).
 */
type SpawnSync = typeof import("node:child_process").spawnSync;

export const spawnSync = ((...args: Parameters<SpawnSync>) =>
  (require("node:child_process") as typeof import("node:child_process")).spawnSync(...args)) as SpawnSync;
