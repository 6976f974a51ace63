/** Account pages' wording: a browser from its user agent, and a moment as the reader's locale writes it. */

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\//, "Firefox"],
  [/Chrom(e|ium)\//, "Chrome"],
  [/Safari\//, "Safari"],
];

const SYSTEMS: [RegExp, string][] = [
  [/Android/, "Android"],
  [/iPhone|iPad|iPod/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

const find = (table: [RegExp, string][], agent: string) => table.find(([pattern]) => pattern.test(agent))?.[1];

/** "Chrome on Linux"; a program's own agent (`python-httpx/0.28`) as it is; "Unknown" for none. */
export function describeAgent(agent: string): string {
  const browser = find(BROWSERS, agent);
  if (!browser) return agent.trim().slice(0, 60) || "Unknown";
  const system = find(SYSTEMS, agent);
  return system ? `${browser} on ${system}` : browser;
}

/** A date and time, in the reader's locale. */
export function formatWhen(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? "" : at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
