/** Tests of the account pages' wording of browsers and moments. */
import { describe, expect, it } from "vitest";

import { describeAgent, formatWhen } from "./format";

describe("describeAgent", () => {
  it("names the browser and the system, and keeps a program's own agent", () => {
    const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";
    const edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36 Edg/140.0";
    const safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
    const firefox = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.0; rv:130.0) Gecko/20100101 Firefox/130.0";
    expect([chrome, edge, safari, firefox].map(describeAgent)).toEqual(["Chrome on Linux", "Edge on Windows", "Safari on iOS", "Firefox on macOS"]);
    expect(describeAgent("python-httpx/0.28.1")).toBe("python-httpx/0.28.1");
    expect(describeAgent("")).toBe("Unknown");
  });

  it("writes nothing for a moment it cannot read", () => {
    expect(formatWhen("not a date")).toBe("");
    expect(formatWhen("2026-11-24T10:00:00Z")).toMatch(/2026/);
  });
});
