/** ESLint for the UI: typescript-eslint's type-aware recommended rules, and React's hooks rules (the recommended set, with the React Compiler's checks). */
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  // The generated schema is checked otherwise: `make lint` fails when it is not the API's.
  { ignores: ["dist/", "src/api-schema.gen.ts"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked, reactHooks.configs.flat.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      // The recommended set only warns: a missing dependency is a stale value at run time.
      "react-hooks/exhaustive-deps": "error",
    },
  },
);
