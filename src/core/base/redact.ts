/**
 * Credentials never reach history, diff or export: the password (or a lone token) in any URL's
 * user-info is replaced as pip's own `redact_auth_from_url` does in its logs:
 * `https://user:secret@host` -> `https://user:****@host`, `https://token@host` -> `https://****@host`.
 * Everything else of the argument stays as typed.
 */

/** scheme://netloc, where netloc runs to the first `/`, `?`, `#` or whitespace. */
const URL_NETLOC = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#\s]*)/g;

/** pip's redact_netloc: the user-info is what precedes the last `@` of the netloc. */
function redactNetloc(netloc: string): string {
  const at = netloc.lastIndexOf("@");
  if (at < 0) return netloc;
  const userInfo = netloc.slice(0, at);
  const host = netloc.slice(at + 1);
  const colon = userInfo.indexOf(":");
  if (colon < 0) return `****@${host}`;
  return `${userInfo.slice(0, colon).replaceAll("@", "%40")}:****@${host}`; // pip quotes the user
}

/** Every URL in `text` with its credentials redacted. */
export function redactUrls(text: string): string {
  return text.replace(URL_NETLOC, (_, scheme: string, netloc: string) => scheme + redactNetloc(netloc));
}

/** pip arguments as typed, credentials redacted. */
export function redactArgs(args: string[]): string[] {
  return args.map(redactUrls);
}
