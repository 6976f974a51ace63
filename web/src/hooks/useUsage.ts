/** Usage from the API: the user's own report, and every account's totals for the admin, in the order asked for. */
import { useCallback, useEffect, useReducer } from "react";

import { api, readable } from "../api";
import { USAGE_DAYS } from "../dailyUsage";
import type { UsageReport, UsageSort, UserUsage } from "../types";
import { type Loaded, useLoaded } from "./useLoaded";

const readUsage = () => api.usage(USAGE_DAYS);

/** The signed-in user's tokens and cost by day and model, with their limits: read when the page opens. */
export function useUsage(): Loaded<UsageReport> {
  return useLoaded(readUsage);
}

interface UsersUsageState {
  /** The order asked for last: the table's header shows it at once. */
  sort: UsageSort;
  /** The rows in the last order that answered: kept on screen while the next one loads. */
  rows: UserUsage[] | null;
  loading: boolean;
  error: string | null;
}

type UsersUsageAction =
  | { type: "sorted"; sort: UsageSort }
  | { type: "loaded"; sort: UsageSort; rows: UserUsage[] }
  | { type: "failed"; sort: UsageSort; error: string };

/** An answer for an order no longer asked for is dropped: clicks faster than the server leave the last one shown. */
export function usersUsageReducer(state: UsersUsageState, action: UsersUsageAction): UsersUsageState {
  switch (action.type) {
    case "sorted":
      return action.sort === state.sort ? state : { ...state, sort: action.sort, loading: true, error: null };
    case "loaded":
      return action.sort === state.sort ? { ...state, rows: action.rows, loading: false, error: null } : state;
    case "failed":
      return action.sort === state.sort ? { ...state, loading: false, error: action.error } : state;
  }
}

export interface UsersUsage extends UsersUsageState {
  setSort: (sort: UsageSort) => void;
}

/** Every account's totals over the usage window, sorted by the server. */
export function useUsersUsage(initial: UsageSort = "cost"): UsersUsage {
  const [state, dispatch] = useReducer(usersUsageReducer, { sort: initial, rows: null, loading: true, error: null });
  const { sort } = state;

  useEffect(() => {
    api.listUsage(sort, USAGE_DAYS).then(
      (rows) => dispatch({ type: "loaded", sort, rows }),
      (failure: unknown) => dispatch({ type: "failed", sort, error: readable(failure) }),
    );
  }, [sort]);

  const setSort = useCallback((to: UsageSort) => dispatch({ type: "sorted", sort: to }), []);
  return { ...state, setSort };
}
