/** Tests of the line under an answer naming the documents it drew on, while it runs and once it ended. */
import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { message } from "../../testing";
import type { DocumentSource } from "../../types";
import { MessageView } from "./MessageView";

const REPORT: DocumentSource = { file_id: "f1", name: "report.pdf", whole: false, pages: [12, 40], chunks: [30, 101] };
const NOTES: DocumentSource = { file_id: "f2", name: "notes.md", whole: true, pages: null, chunks: null };

afterEach(cleanup);

describe("the documents an answer drew on", () => {
  it("names each under the answer, by its pages or whole", () => {
    const { getByTestId, getAllByTestId } = render(
      <MessageView message={message({ content: "It is under the stair.", sources: [REPORT, NOTES] })} />,
    );
    const line = getByTestId("message-sources");
    expect(line.textContent).toBe("From report.pdf · pages 12, 40; notes.md · whole");
    expect(line.getAttribute("aria-label")).toBe("Documents this answer drew on");
    const shown = getAllByTestId("message-source").map((source) => [source.dataset.fileId, source.dataset.whole]);
    expect(shown).toEqual([["f1", "false"], ["f2", "true"]]);
  });

  it("shows them while the answer still runs, once its first checkpoint recorded them", () => {
    const running = message({ status: "streaming", sources: [REPORT] });
    const { getByTestId } = render(<MessageView message={running} live liveSaid={{ text: "It is", reasoning: "", toolCalls: [] }} />);
    expect(getByTestId("message-sources").textContent).toBe("From report.pdf · pages 12, 40");
  });

  it("shows nothing for an answer without documents, one from before they were kept, or a question", () => {
    for (const shown of [message({ sources: [] }), message({ sources: null }), message(), message({ role: "user", sources: [NOTES] })]) {
      const { queryByTestId } = render(<MessageView message={shown} />);
      expect(queryByTestId("message-sources")).toBeNull();
      cleanup();
    }
  });
});
