/** Doctor's check for damaged files inside installed .dist-info folders (packages/dist-info-damage.ts). */
import { pass, problem, type Check } from "./check.ts";
import { damagedDistInfo } from "../packages/dist-info-damage.ts";
import type { Target } from "../recording/target.ts";

export function damageCheck(t: Target): Check {
  const id = `damaged-metadata:${t.version}`;
  const found = damagedDistInfo(t.sitePackages);
  if (found.length === 0) return pass(id, "every package's metadata files are readable");
  return problem(
    id,
    found.map((d) => `${d.path} ${d.why}`).join("; "),
    "reinstall the package: `pip install --force-reinstall NAME==VERSION` (or `pyctl undo` if an operation left it)",
  );
}
