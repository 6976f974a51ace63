/** Tests of the sampling fields read back into numbers. */
import { describe, expect, it } from "vitest";

import { DEFAULTS, parseSampling, samplingText } from "./sampling";

describe("the sampling fields", () => {
  it("show a setting as its number and the model's default as empty, and read them back", () => {
    const text = samplingText({ temperature: 0.7, top_p: null, seed: 42 });
    expect(text).toEqual({ temperature: "0.7", top_p: "", seed: "42" });
    expect(parseSampling(text)).toEqual({ temperature: 0.7, top_p: null, seed: 42 });
    expect(parseSampling({ temperature: " 1 ", top_p: "0.95", seed: " " })).toEqual({ temperature: 1, top_p: 0.95, seed: null });
    expect(parseSampling(samplingText(DEFAULTS))).toEqual(DEFAULTS);
  });

  it("say which field is not a number", () => {
    expect(parseSampling({ temperature: "warm", top_p: "", seed: "" })).toBe("Temperature must be a number, or empty for the model's default.");
    expect(parseSampling({ temperature: "", top_p: "1..0", seed: "" })).toBe("Top p must be a number, or empty for the model's default.");
    expect(parseSampling({ temperature: "", top_p: "", seed: "4.2" })).toBe("Seed must be a whole number, or empty for none.");
    expect(parseSampling({ temperature: "", top_p: "", seed: "-1" })).toBe("Seed must be a whole number, or empty for none.");
  });
});
