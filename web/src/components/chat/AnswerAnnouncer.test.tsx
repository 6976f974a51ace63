/** Tests of the answers' log for screen readers: empty while an answer runs, one line once it ends. */
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { message } from "../../testing";
import { AnswerAnnouncer } from "./AnswerAnnouncer";

afterEach(cleanup);

describe("AnswerAnnouncer", () => {
  it("is a polite log of additions, silent until the answer ends, then one line for it", () => {
    const { rerender } = render(<AnswerAnnouncer answer={undefined} />);
    const log = screen.getByRole("log");
    expect(log.getAttribute("aria-live")).toBe("polite");
    expect(log.getAttribute("aria-relevant")).toBe("additions");
    expect(log.textContent).toBe("");

    rerender(<AnswerAnnouncer answer={message({ id: "a1", status: "streaming", content: "Partial" })} />);
    expect(log.textContent).toBe("");
    rerender(<AnswerAnnouncer answer={message({ id: "a1", status: "complete", content: "Done." })} />);
    expect(log.children).toHaveLength(1);
    expect(log.textContent).toBe("Answer finished: Done.");

    // The next answer's end replaces the line: an addition, spoken once.
    const first = log.firstElementChild;
    rerender(<AnswerAnnouncer answer={message({ id: "a2", status: "stopped", content: "Part" })} />);
    expect(log.children).toHaveLength(1);
    expect(log.firstElementChild).not.toBe(first);
    expect(log.textContent).toBe("Answer stopped");
  });
});
