/** Under an answer, the documents it drew on: "From report.pdf · pages 12, 40; notes.md · whole". */
import { Fragment } from "react";

import { describeSource } from "../../sources";
import type { DocumentSource } from "../../types";

const WHOLE = "The whole document was in the model's prompt";
const PARTS = "Only the parts of this document that best match the question were in the model's prompt";

export function MessageSources({ sources }: { sources: readonly DocumentSource[] }) {
  if (sources.length === 0) return null;
  return (
    <p className="message-sources" data-testid="message-sources" aria-label="Documents this answer drew on">
      <span className="message-sources-label">From </span>
      {sources.map((source, index) => (
        <Fragment key={source.file_id}>
          {index > 0 ? "; " : null}
          <span
            className="message-source"
            data-testid="message-source"
            data-file-id={source.file_id}
            data-whole={source.whole ? "true" : "false"}
            title={source.whole ? WHOLE : PARTS}
          >
            <span className="message-source-name">{source.name}</span> · {describeSource(source)}
          </span>
        </Fragment>
      ))}
    </p>
  );
}
