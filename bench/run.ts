/** `bun run bench`: every side-by-side measurement, one after another (they share the machine). */
const scripts = ["core.ts", "shell-startup.ts", "undo-restore.ts", "switch.ts", "outdated.ts"];
let failed = 0;
for (const script of scripts) {
  console.log(`\n=== bench/${script}`);
  const proc = Bun.spawn([process.execPath, `${import.meta.dir}/${script}`], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if ((await proc.exited) !== 0) failed++;
}
process.exit(failed ? 1 : 0);
