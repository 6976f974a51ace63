/** Something read from the API when a page opens: the value, the sentence if reading failed, and reading again. */
import { type Dispatch, type SetStateAction, useCallback, useEffect, useState } from "react";

import { readable } from "../api";

export interface Loaded<T> {
  /** Null until the first read answers. */
  value: T | null;
  error: string | null;
  /** Changes the value in place after an action the server accepted. */
  set: Dispatch<SetStateAction<T | null>>;
  reload: () => Promise<void>;
}

/** Reads `load` once mounted; `load` must be stable (a module's function, or memoized). */
export function useLoaded<T>(load: () => Promise<T>): Loaded<T> {
  const [value, set] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      load().then(
        (loaded) => {
          set(loaded);
          setError(null);
        },
        (failure: unknown) => setError(readable(failure)),
      ),
    [load],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  return { value, error, set, reload };
}
