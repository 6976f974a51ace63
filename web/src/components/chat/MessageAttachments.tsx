/** The files a question brought: each one's name (an image's thumbnail too), linking to its download, or that it was deleted. */
import { api } from "../../api";
import { hasThumbnail } from "../../files";
import { useAttachedFiles } from "../../hooks/useAttachedFiles";
import { FileThumbnail } from "./FileThumbnail";

export function MessageAttachments({ ids }: { ids: readonly string[] }) {
  const files = useAttachedFiles(ids);
  return (
    <ul className="message-attachments" aria-label="Attached files">
      {ids.map((id) => {
        const file = files.get(id);
        return (
          <li key={id}>
            {file === null ? (
              <span className="message-attachment deleted" data-testid="message-attachment" data-deleted="true">
                File deleted
              </span>
            ) : (
              // Named once read; a download either way (the server sends it as an attachment).
              <a
                className={hasThumbnail(file) ? "message-attachment image" : "message-attachment"}
                data-testid="message-attachment"
                href={api.fileUrl(id)}
                download={file?.name ?? true}
                title={file ? `Download ${file.name}` : "Download"}
              >
                {hasThumbnail(file) ? <FileThumbnail file={file} className="message-attachment-thumbnail" /> : null}
                <span className="message-attachment-name">{file?.name ?? "File"}</span>
              </a>
            )}
          </li>
        );
      })}
    </ul>
  );
}
