/** Tests of the sentences an answer's end is announced with. */
import { describe, expect, it } from "vitest";

import { endOfAnswer } from "./announce";
import { message } from "./testing";

const answer = (fields: Parameters<typeof message>[0]) => message({ id: "a1", role: "assistant", ...fields });

describe("endOfAnswer", () => {
  it("says nothing while the answer is queued or streaming", () => {
    expect(endOfAnswer(answer({ status: "queued", content: "" }))).toBeNull();
    expect(endOfAnswer(answer({ status: "streaming", content: "Partial" }))).toBeNull();
  });

  it("reads a finished answer's text, clipped when long", () => {
    expect(endOfAnswer(answer({ status: "complete", content: " Hello there \n" }))).toBe("Answer finished: Hello there");
    expect(endOfAnswer(answer({ status: "complete", content: "" }))).toBe("Answer finished");
    const long = endOfAnswer(answer({ status: "complete", content: "x".repeat(5_000) }));
    expect(long).toBe(`Answer finished: ${"x".repeat(1_000)}…`);
  });

  it("says an answer stopped, or failed and why", () => {
    expect(endOfAnswer(answer({ status: "stopped", content: "Part" }))).toBe("Answer stopped");
    expect(endOfAnswer(answer({ status: "failed", content: "", error: "The model is unavailable." }))).toBe(
      "Answer failed: The model is unavailable.",
    );
    expect(endOfAnswer(answer({ status: "failed", content: "", error: null }))).toBe("Answer failed: The answer failed.");
  });
});
