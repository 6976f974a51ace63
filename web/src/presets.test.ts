/** Tests of the composer's presets: the command typed, the presets it matches, and a template filled in. */
import { describe, expect, it } from "vitest";

import { fillTemplate, matchingPresets, templateFields, typedCommand, usesClipboard } from "./presets";
import type { PromptPreset } from "./types";

function preset(command: string, title = command, fields: Partial<PromptPreset> = {}): PromptPreset {
  return { id: command, command, title, content: "", shared: false, mine: true, created_at: "", updated_at: "", ...fields };
}

describe("the command typed", () => {
  it("is what follows a / when the composer holds nothing else", () => {
    expect(typedCommand("/")).toBe("");
    expect(typedCommand("/sum")).toBe("sum");
    expect(typedCommand("/re-write_2")).toBe("re-write_2");
  });

  it("is none once the text is anything but a command being typed", () => {
    expect(typedCommand("")).toBeNull();
    expect(typedCommand("sum")).toBeNull();
    expect(typedCommand("/sum it")).toBeNull(); // a space: a question that starts with a slash
    expect(typedCommand(" /sum")).toBeNull();
    expect(typedCommand("/Sum")).toBeNull();
    expect(typedCommand("/usr/bin")).toBeNull();
    expect(typedCommand(`/${"a".repeat(33)}`)).toBeNull();
  });
});

describe("the presets a command matches", () => {
  const presets = [preset("summarize", "Summarize"), preset("translate", "Translate to French"), preset("sum-up", "Short"), preset("fr", "French")];

  it("puts commands that start with it first, then those that hold it in the command or the title", () => {
    expect(matchingPresets(presets, "sum").map((p) => p.command)).toEqual(["summarize", "sum-up"]);
    expect(matchingPresets(presets, "fr").map((p) => p.command)).toEqual(["fr", "translate"]);
    expect(matchingPresets(presets, "").map((p) => p.command)).toEqual(["summarize", "translate", "sum-up", "fr"]);
    expect(matchingPresets(presets, "zzz")).toEqual([]);
  });

  it("keeps the given order within a group (own before shared) and shows at most the menu's size", () => {
    const mixed = [preset("b", "b"), preset("a", "a", { mine: false, shared: true })];
    expect(matchingPresets(mixed, "").map((p) => p.command)).toEqual(["b", "a"]);
    const many = Array.from({ length: 20 }, (_, i) => preset(`p${i}`));
    expect(matchingPresets(many, "p")).toHaveLength(8);
    expect(matchingPresets(many, "p", 3).map((p) => p.command)).toEqual(["p0", "p1", "p2"]);
  });
});

describe("a template's fields", () => {
  it("asks for each named field once, in order, but never for the clipboard", () => {
    const content = "To {{ name }}: {{clipboard}}\nRegards, {{sender}}. P.S. {{name}} {{due date}}";
    expect(templateFields(content)).toEqual(["name", "sender", "due date"]);
    expect(usesClipboard(content)).toBe(true);
    expect(usesClipboard("{{name}}")).toBe(false);
    expect(templateFields("no fields, {single} braces, {{ }} and {{a.b}}")).toEqual([]);
  });

  it("fills every field, the clipboard's and the named ones, empty where nothing was given", () => {
    const content = "Dear {{name}}, {{ clipboard }} ({{name}}, {{missing}})";
    expect(fillTemplate(content, { name: "Ada" }, "pasted")).toBe("Dear Ada, pasted (Ada, )");
    expect(fillTemplate("{{clipboard}}!", {})).toBe("!"); // the clipboard refused: empty
  });

  it("leaves what the values hold as it is: no second pass, no $ patterns", () => {
    expect(fillTemplate("{{a}} {{b}}", { a: "{{b}}", b: "$& $1" })).toBe("{{b}} $& $1");
    expect(fillTemplate("{{clipboard}}", {}, "{{name}}")).toBe("{{name}}");
  });
});
