import { describe, expect, it } from "vitest";

import { hear, NOTHING_SAID, readableArguments, type Said, toolNames } from "./said";
import { message } from "./testing";

function heard(...events: [string, Record<string, unknown>][]): Said {
  return events.reduce<Said>((said, [event, data]) => hear(said, event, data) ?? said, NOTHING_SAID);
}

describe("hear", () => {
  it("keeps the text, the reasoning and the tool calls apart", () => {
    const said = heard(
      ["reasoning", { text: "Let me " }],
      ["reasoning", { text: "think." }],
      ["delta", { text: "Checking." }],
      ["tool_call", { index: 0, id: "call_1", name: "weather", arguments: '{"ci' }],
      ["tool_call", { index: 0, arguments: 'ty":"Oslo"}' }],
      ["tool_call", { index: 1, id: "call_2", name: "time", arguments: "{}" }],
    );
    expect(said).toEqual({
      text: "Checking.",
      reasoning: "Let me think.",
      toolCalls: [
        { id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' },
        { id: "call_2", name: "time", arguments: "{}" },
      ],
    });
  });

  it("starts over at a reset, and what follows brings everything again", () => {
    const said = heard(["delta", { text: "old" }], ["tool_call", { index: 0, id: "a", name: "f", arguments: "{" }], ["reset", { attempt: 2 }], ["delta", { text: "new" }]);
    expect(said).toEqual({ text: "new", reasoning: "", toolCalls: [] });
  });

  it("says nothing for the events that are not the answer's words", () => {
    expect(hear(NOTHING_SAID, "usage", { prompt_tokens: 1 })).toBeNull();
  });
});

describe("toolNames", () => {
  it("names each call by its id, for the results that answer it", () => {
    const call = { id: "call_9", type: "function" as const, function: { name: "lookup", arguments: "{}" } };
    expect(toolNames([message({ tool_calls: [call] })]).get("call_9")).toBe("lookup");
  });
});

describe("readableArguments", () => {
  it("indents JSON and leaves anything else as it came", () => {
    expect(readableArguments('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(readableArguments('{"a":')).toBe('{"a":');
  });
});
