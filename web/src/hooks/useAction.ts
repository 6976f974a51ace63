/** A form's action: whether it is running, and the server's sentence when it was refused. */
import { useCallback, useState } from "react";

import { readable } from "../api";

export interface Action<A extends unknown[]> {
  busy: boolean;
  /** The last refusal's sentence, until the next try. */
  error: string | null;
  /** Runs the action; true when it succeeded. */
  run: (...args: A) => Promise<boolean>;
  clearError: () => void;
}

export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(null);
      try {
        await action(...args);
        return true;
      } catch (failure) {
        setError(readable(failure));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );

  const clearError = useCallback(() => setError(null), []);
  return { busy, error, run, clearError };
}
