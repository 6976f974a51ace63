/** The user's files as a table: each one's thumbnail (an image's), name (its download), kind, size, what it holds, status, upload time, and Delete after a confirmation. */
import { useRef, useState } from "react";

import { api } from "../../api";
import { fileContents, fileKind, formatSize } from "../../fileList";
import { hasThumbnail } from "../../files";
import { formatWhen } from "../../format";
import { useAction } from "../../hooks/useAction";
import type { FileStatus, UploadedFile } from "../../types";
import { FileThumbnail } from "../chat/FileThumbnail";
import { FormError } from "../shared/Field";

const STATUS: Record<FileStatus, string> = { processing: "Reading…", ready: "Ready", failed: "Failed" };
const COLUMNS = 7;

interface Props {
  files: UploadedFile[];
  /** Rejects with the server's refusal, shown under the file's row. */
  onDelete: (id: string) => Promise<void>;
}

function FileRow({ file, onDelete }: { file: UploadedFile; onDelete: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const deleteButton = useRef<HTMLButtonElement | null>(null);
  const remove = useAction(onDelete);
  const contents = fileContents(file);
  const cancel = () => {
    setConfirming(false);
    deleteButton.current?.focus();
  };
  return (
    <>
      <tr data-testid="file-row" data-id={file.id} data-name={file.name} data-status={file.status}>
        <th scope="row">
          <span className="file-cell">
            {hasThumbnail(file) ? <FileThumbnail file={file} className="file-row-thumbnail" /> : null}
            {file.status === "failed" ? (
              // Its bytes were not kept: nothing to download.
              <span className="file-row-name" data-testid="file-name">
                {file.name}
              </span>
            ) : (
              <a className="file-row-name" data-testid="file-name" href={api.fileUrl(file.id)} download={file.name} title={`Download ${file.name}`}>
                {file.name}
              </a>
            )}
          </span>
        </th>
        <td data-testid="file-kind">{fileKind(file.content_type)}</td>
        <td className="number" data-testid="file-size">
          {formatSize(file.size)}
        </td>
        <td data-testid="file-contents">{contents ?? <span className="hint">–</span>}</td>
        <td data-testid="file-status">
          {STATUS[file.status]}
          {file.status === "failed" && file.error ? (
            <span className="hint" data-testid="file-error">
              {file.error}
            </span>
          ) : null}
        </td>
        <td className="when">{formatWhen(file.created_at)}</td>
        <td className="actions">
          <button
            type="button"
            ref={deleteButton}
            className="secondary"
            aria-label={`Delete ${file.name}`}
            aria-expanded={confirming}
            data-testid="delete-file"
            onClick={() => {
              remove.clearError();
              setConfirming(true);
            }}
          >
            Delete
          </button>
        </td>
      </tr>
      {confirming ? (
        <tr className="confirm-row" data-testid="confirm-delete-row" data-id={file.id}>
          <td colSpan={COLUMNS}>
            <div className="confirm-delete" role="group" aria-label={`Delete ${file.name}?`}>
              <p data-testid="confirm-delete-sentence">
                Delete <strong>{file.name}</strong>? It is gone for good, also from the messages that brought it: they will say “File deleted”.
              </p>
              <span className="confirm">
                <button type="button" className="danger" data-testid="confirm-delete-file" autoFocus disabled={remove.busy} onClick={() => void remove.run()}>
                  Delete file
                </button>
                <button type="button" className="link-button" data-testid="cancel-delete-file" onClick={cancel}>
                  Cancel
                </button>
              </span>
            </div>
            <FormError error={remove.error} testId="delete-file-error" />
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function FileTable({ files, onDelete }: Props) {
  return (
    <div className="table-scroll">
      <table className="data-table files-table" data-testid="file-table">
        <caption className="visually-hidden">Your files, newest first</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Type</th>
            <th scope="col" className="number">
              Size
            </th>
            <th scope="col">Contents</th>
            <th scope="col">Status</th>
            <th scope="col">Uploaded</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {files.map((file) => (
            <FileRow key={file.id} file={file} onDelete={() => onDelete(file.id)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
