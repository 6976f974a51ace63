/** The files page: what the user's files take of their storage, and the files themselves, newest first, page by page, each to download or delete. */
import { useFiles, type Storage } from "../../hooks/useFiles";
import type { SubscribeToUpdates } from "../../hooks/useUpdates";
import { quotaBytes, storageUsed } from "../../fileList";
import { FormError } from "../shared/Field";
import { Gauge } from "../shared/Gauge";
import { PageHeader, type PageHeaderProps } from "../shared/PageHeader";
import { FileTable } from "./FileTable";

function StorageUsed({ storage, error }: { storage: Storage | null; error: string | null }) {
  return (
    <section className="page-section" aria-labelledby="storage-heading" data-testid="files-storage">
      <h2 id="storage-heading">Storage</h2>
      <FormError error={error} testId="storage-error" />
      {storage ? (
        <div className="row">
          <span className="row-main" data-testid="storage-used">
            {storageUsed(storage.usedBytes, storage.quotaMb)}
          </span>
          <Gauge used={storage.usedBytes} limit={storage.quotaMb === null ? null : quotaBytes(storage.quotaMb)} label="Storage used by files" />
        </div>
      ) : error ? null : (
        <p className="hint">Loading…</p>
      )}
      <p className="hint">An upload that would pass your storage is refused; a file that could not be read takes none.</p>
    </section>
  );
}

export function FilesPage({ updates, ...header }: PageHeaderProps & { updates: SubscribeToUpdates }) {
  const files = useFiles(updates);
  return (
    <main className="page" data-testid="files-page">
      <PageHeader title="Files" {...header} />
      <div className="page-body">
        <p className="hint page-intro">The files you uploaded, newest first, sent with a question or not. Delete those you no longer need to free their room.</p>
        <StorageUsed storage={files.storage} error={files.storageError} />
        <section className="page-section" aria-labelledby="files-heading">
          <h2 id="files-heading">Your files</h2>
          {files.files === null ? null : files.files.length === 0 ? (
            <p className="hint" data-testid="files-empty">
              No files yet: attach one to a question with the paperclip.
            </p>
          ) : (
            <FileTable files={files.files} onDelete={files.remove} />
          )}
          <FormError error={files.error} testId="files-error" />
          {files.files === null && !files.error ? <p className="hint">Loading…</p> : null}
          {files.nextOffset !== null ? (
            <button type="button" className="secondary load-more" data-testid="files-more" disabled={files.loadingMore} onClick={files.loadMore}>
              {files.loadingMore ? "Loading…" : "Load more"}
            </button>
          ) : null}
        </section>
      </div>
    </main>
  );
}
