/** The files attached to the question being written: each one's name (an image's thumbnail too), its progress or what it holds, and its remove button. */
import { type Attachment, attachmentProgress } from "../../attachments";
import { hasThumbnail } from "../../files";
import { FileThumbnail } from "./FileThumbnail";

interface Props {
  attachments: Attachment[];
  onRemove: (key: string) => void;
}

export function AttachmentChips({ attachments, onRemove }: Props) {
  if (attachments.length === 0) return null;
  return (
    <ul className="file-chips" aria-label="Attached files">
      {attachments.map((attachment) => (
        <li key={attachment.key} className={`file-chip ${attachment.status}`} data-testid="file-chip" data-status={attachment.status}>
          {hasThumbnail(attachment.file) ? <FileThumbnail file={attachment.file} className="file-chip-thumbnail" /> : null}
          <span className="file-chip-text">
            <span className="file-chip-name" data-testid="file-name" title={attachment.name}>
              {attachment.name}
            </span>
            {attachment.status === "failed" ? (
              <span className="file-chip-error" role="alert" data-testid="file-error">
                {attachmentProgress(attachment)}
              </span>
            ) : (
              <span className="file-chip-progress" data-testid="file-progress">
                {attachmentProgress(attachment)}
              </span>
            )}
          </span>
          {attachment.status === "uploading" && attachment.progress !== null ? (
            <progress className="file-chip-bar" max={1} value={attachment.progress} aria-label={`Uploading ${attachment.name}`} />
          ) : null}
          <button
            type="button"
            className="file-chip-remove"
            aria-label={`Remove ${attachment.name}`}
            title="Remove"
            data-testid="file-remove"
            onClick={() => onRemove(attachment.key)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
