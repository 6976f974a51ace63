/** The tools a conversation may pick (`GET /api/tools`); none while they load or if they cannot. */
import { useEffect, useState } from "react";

import { api } from "../api";
import type { Tool } from "../types";

export function useTools(): Tool[] | null {
  const [tools, setTools] = useState<Tool[] | null>(null);
  useEffect(() => {
    api.listTools().then(setTools, () => setTools([]));
  }, []);
  return tools;
}
