/** The end of the sidebar's list: reads the next older conversations, and says so when it fails. */
import { useAction } from "../../hooks/useAction";
import { FormError } from "../shared/Field";

export function MoreButton({ onMore }: { onMore: () => Promise<void> }) {
  const { busy, error, run } = useAction(onMore);
  return (
    <div className="list-more">
      <button type="button" className="link-button" data-testid="list-more" disabled={busy} onClick={() => void run()}>
        {busy ? "Loading…" : "Show older conversations"}
      </button>
      <FormError error={error} testId="list-more-error" />
    </div>
  );
}
