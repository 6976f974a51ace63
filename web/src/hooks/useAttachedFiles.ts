/** The files a message brought, by id: read for their names, or known to be deleted. */
import { useEffect, useState } from "react";

import { lookUpFile } from "../files";
import type { UploadedFile } from "../types";

/** Each of `ids` to its file once read (null: deleted); one not read yet, or that could not be
 * read, is missing from the map. */
export function useAttachedFiles(ids: readonly string[]): ReadonlyMap<string, UploadedFile | null> {
  const [found, setFound] = useState<ReadonlyMap<string, UploadedFile | null>>(new Map());
  // The ids as one value: a message read again brings a new array of the same ids.
  const wanted = ids.join(" ");

  useEffect(() => {
    let current = true;
    for (const id of wanted.split(" ").filter(Boolean)) {
      lookUpFile(id).then(
        (file) => {
          if (current) setFound((before) => new Map(before).set(id, file));
        },
        () => undefined, // unreachable: the chip says "File" until the message is shown again
      );
    }
    return () => {
      current = false;
    };
  }, [wanted]);

  return found;
}
