/** Tests of how an answer's documents read: whole, pages (runs as ranges), excerpts. */
import { describe, expect, it } from "vitest";

import { describeSource, pageList, sourcesOf } from "./sources";
import type { DocumentSource } from "./types";

const source = (fields: Partial<DocumentSource>): DocumentSource => ({
  file_id: "f", name: "report.pdf", whole: false, pages: null, chunks: null, ...fields,
});

describe("an answer's sources in words", () => {
  it("says a document that went in whole is whole, whatever its pages", () => {
    expect(describeSource(source({ whole: true, pages: [1, 2, 3] }))).toBe("whole");
    expect(describeSource(source({ whole: true }))).toBe("whole");
  });

  it("names the pages of a paged document's parts, one page as such", () => {
    expect(describeSource(source({ pages: [12, 40], chunks: [20, 71] }))).toBe("pages 12, 40");
    expect(describeSource(source({ pages: [40], chunks: [71, 72] }))).toBe("page 40");
  });

  it("counts the parts of a document without pages, and says when none fit", () => {
    expect(describeSource(source({ chunks: [1, 5, 9] }))).toBe("3 excerpts");
    expect(describeSource(source({ chunks: [4] }))).toBe("1 excerpt");
    expect(describeSource(source({ chunks: [] }))).toBe("none of it fit");
  });

  it("writes runs of three or more pages as ranges, in order, each page once", () => {
    expect(pageList([40, 12])).toBe("12, 40");
    expect(pageList([3, 4, 5, 9, 10, 12, 5])).toBe("3–5, 9, 10, 12");
    expect(pageList([])).toBe("");
  });

  it("finds sources on answers only, none when not recorded", () => {
    const drew = [source({ whole: true })];
    expect(sourcesOf({ role: "assistant", sources: drew })).toBe(drew);
    expect(sourcesOf({ role: "assistant", sources: null })).toEqual([]);
    expect(sourcesOf({ role: "assistant" })).toEqual([]);
    expect(sourcesOf({ role: "user", sources: drew })).toEqual([]);
  });
});
