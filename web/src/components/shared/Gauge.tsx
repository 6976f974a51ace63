/** How full a limit is, where both it and what is used are known; nothing for an unlimited one. */
export function Gauge({ used, limit, label }: { used: number | null; limit: number | null; label: string }) {
  if (used === null || limit === null || limit <= 0) return null;
  return (
    <meter className="gauge" min={0} max={limit} low={limit * 0.7} high={limit * 0.9} optimum={0} value={Math.min(used, limit)} aria-label={label} />
  );
}
