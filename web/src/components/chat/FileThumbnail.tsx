/** An image file's thumbnail, as the server made it when it read the image. */
import { useState } from "react";

import { api } from "../../api";
import type { UploadedFile } from "../../types";

/** The thumbnail, named by the file's name; nothing once it fails to load (an image read before
 * thumbnails were made has none), so the file's name alone stands for it. */
export function FileThumbnail({ file, className }: { file: UploadedFile; className: string }) {
  const [missing, setMissing] = useState(false);
  if (missing) return null;
  return (
    <img
      className={className}
      src={api.thumbnailUrl(file.id)}
      alt={file.name}
      data-testid="file-thumbnail"
      decoding="async"
      onError={() => setMissing(true)}
    />
  );
}
