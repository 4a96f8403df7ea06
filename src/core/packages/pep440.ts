/**
 * PEP 440 version normalisation, as pip prints versions (`str(packaging.version.Version(v))`).
 * Versions already in normal form skip the library, which keeps the inventory fast.
 */
const N = "(?:0|[1-9]\\d*)";
const NORMAL_FORM = new RegExp(
  `^(?:${N}!)?${N}(?:\\.${N})*(?:(?:a|b|rc)${N})?(?:\\.post${N})?(?:\\.dev${N})?(?:\\+[a-z0-9]+(?:\\.[a-z0-9]+)*)?$`,
);

type Pep440 = typeof import("@renovatebot/pep440");
let library: Pep440 | undefined;

function pep440(): Pep440 {
  // require() keeps this synchronous; it runs only for versions not already in normal form.
  library ??= require("@renovatebot/pep440") as Pep440;
  return library;
}

/** The normalised version, or null when `raw` is not a PEP 440 version (pip then prints `===raw`). */
export function normalizeVersion(raw: string): string | null {
  if (NORMAL_FORM.test(raw)) return raw;
  const parts = pep440().explain(raw.trim());
  if (!parts) return null;
  let out = parts.epoch ? `${parts.epoch}!` : "";
  out += parts.release.join(".");
  if (parts.pre) out += `${parts.pre[0]}${parts.pre[1]}`;
  if (parts.post !== null) out += `.post${parts.post}`;
  if (parts.dev !== null) out += `.dev${parts.dev}`;
  if (parts.local) out += `+${parts.local.toLowerCase().replace(/[-_]/g, ".")}`;
  return out;
}

/** PEP 503 name normalisation: the key two spellings of one project share. */
export function canonicalName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

/** Order two versions the PEP 440 way (-1, 0, 1); non-PEP 440 strings compare as text. */
export function compareVersions(a: string, b: string): number {
  const lib = pep440();
  if (lib.valid(a) && lib.valid(b)) return Math.sign(lib.compare(a, b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether `==pin` accepts the installed `version` as pip reads it (PEP 440): a pin without a
 * local label ignores the installed version's one (`==1.0` accepts 1.0+abc.1, not the reverse).
 */
export function pinAccepts(pin: string, version: string): boolean {
  if (compareVersions(version, pin) === 0) return true;
  const plus = version.indexOf("+");
  return !pin.includes("+") && plus > 0 && compareVersions(version.slice(0, plus), pin) === 0;
}
