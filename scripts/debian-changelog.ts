/**
 * CHANGELOG.md as a Debian changelog (debian/changelog format, Debian Policy 4.4): one entry per
 * `## VERSION - YYYY-MM-DD` heading, one `  * ` item per `- ` line, wrapped lines kept.
 */
export interface Release {
  version: string;
  date: string;
  items: string[];
}

export function parseChangelog(markdown: string): Release[] {
  const releases: Release[] = [];
  for (const line of markdown.split("\n")) {
    const heading = /^## \[?([0-9][^\]\s]*)\]? - (\d{4}-\d{2}-\d{2})\s*$/.exec(line);
    if (heading) {
      releases.push({ version: heading[1]!, date: heading[2]!, items: [] });
      continue;
    }
    const current = releases.at(-1);
    if (!current) continue;
    if (line.startsWith("- ")) current.items.push(line.slice(2).trim());
    else if (/^\s+\S/.test(line) && current.items.length > 0)
      current.items.push(`${current.items.pop()} ${line.trim()}`);
  }
  return releases;
}

/** Words wrapped to `width` columns, the first line after `first`, the rest after `rest`. */
function wrap(text: string, first: string, rest: string, width = 78): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > width && line.trim() !== first.trim()) {
      lines.push(line.trimEnd());
      line = rest;
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines;
}

function rfc2822(date: string): string {
  return new Date(`${date}T00:00:00Z`).toUTCString().replace("GMT", "+0000");
}

export function debianChangelog(releases: Release[], maintainer: string): string {
  return releases
    .map((r) =>
      [
        `pyctl (${r.version}) unstable; urgency=medium`,
        "",
        ...r.items.flatMap((item) => wrap(item, "  * ", "    ")),
        "",
        ` -- ${maintainer}  ${rfc2822(r.date)}`,
      ].join("\n"),
    )
    .join("\n\n")
    .concat("\n");
}
