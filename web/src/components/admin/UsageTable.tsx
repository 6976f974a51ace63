/** The admin's table of every account's usage: answers, tokens and cost, sorted by the column chosen. */
import type { UsageSort, UserUsage } from "../../types";
import { formatCost, formatTokens } from "../../usage";

interface Props {
  rows: UserUsage[];
  sort: UsageSort;
  /** The rows shown are still in the previous order. */
  loading: boolean;
  onSort: (sort: UsageSort) => void;
}

/** Each column, and how the server sorts it: email A to Z, the others the most first. */
const COLUMNS: [UsageSort, string, "ascending" | "descending"][] = [
  ["email", "Account", "ascending"],
  ["answers", "Answers", "descending"],
  ["tokens", "Tokens", "descending"],
  ["cost", "Cost", "descending"],
];

export function UsageTable({ rows, sort, loading, onSort }: Props) {
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="usage-table" data-sort={sort} aria-busy={loading}>
        <caption className="visually-hidden">Every account's usage; choose a column's heading to sort by it.</caption>
        <thead>
          <tr>
            {COLUMNS.map(([column, label, order]) => (
              <th key={column} scope="col" className={column === "email" ? undefined : "number"} aria-sort={column === sort ? order : undefined}>
                <button type="button" className="sort-button" data-testid={`sort-${column}`} onClick={() => onSort(column)}>
                  {label}
                  <span aria-hidden="true">{column === sort ? (order === "ascending" ? " ▲" : " ▼") : ""}</span>
                  <span className="visually-hidden">{order === "ascending" ? ", sort A to Z" : ", sort the most first"}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const tokens = row.prompt_tokens + row.completion_tokens;
            return (
              <tr key={row.user_id} data-testid="usage-row" data-email={row.email} data-tokens={tokens}>
                <td>
                  <span className="row-title">{row.name || row.email}</span>
                  <span className="hint">{row.email}</span>
                </td>
                <td className="number">{row.answers.toLocaleString("en-US")}</td>
                <td className="number" title={`${formatTokens(row.prompt_tokens)} prompt + ${formatTokens(row.completion_tokens)} answer`}>
                  {formatTokens(tokens)}
                </td>
                <td className="number">{formatCost(row.cost_usd)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
