/** The ‹ 2/3 › control between the versions of a message. */
import type { SiblingPosition } from "../../branch";

interface Props {
  siblings: SiblingPosition;
  /** An answer is running: switching waits for it. */
  disabled: boolean;
  onSwitch: (messageId: string) => void;
}

/** ‹ 2/3 › between a message and its alternatives (regenerated answers, edited questions). */
export function BranchSwitcher({ siblings, disabled, onSwitch }: Props) {
  const { position, count, previous, next } = siblings;
  return (
    <span className="branch-switcher" data-testid="branch-switcher">
      <button
        type="button"
        className="icon-button"
        aria-label="Previous version"
        data-testid="branch-previous"
        disabled={disabled || !previous}
        onClick={() => previous && onSwitch(previous)}
      >
        ‹
      </button>
      <span data-testid="branch-position">
        {position}/{count}
      </span>
      <button
        type="button"
        className="icon-button"
        aria-label="Next version"
        data-testid="branch-next"
        disabled={disabled || !next}
        onClick={() => next && onSwitch(next)}
      >
        ›
      </button>
    </span>
  );
}
