/** The models the server offers (`GET /api/models`). */
import { useEffect, useState } from "react";

import { api } from "../api";
import type { ModelList } from "../types";

export function useModels(): ModelList | null {
  const [models, setModels] = useState<ModelList | null>(null);
  useEffect(() => {
    api.listModels().then(setModels, () => setModels({ models: [], default: "" }));
  }, []);
  return models;
}
