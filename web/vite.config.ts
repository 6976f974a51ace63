/** Vite's build, the dev server's proxy to the API, and Vitest's environment. */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// `npm run dev` serves the UI with hot reload and passes /api to a running API.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { "/api": { target: process.env.RELAYCHAT_API ?? "http://127.0.0.1:8000", changeOrigin: true } },
  },
  // Markdown and syntax highlighting are most of the bundle; one chunk loads fastest from one origin.
  // KaTeX (~260 kB) and Mermaid (megabytes) are dynamic imports: they load with the first math or diagram.
  build: {
    outDir: "dist",
    sourcemap: process.env.RELAYCHAT_SOURCEMAP === "1",
    chunkSizeWarningLimit: 1000,
    // KaTeX's small fonts would be inlined as data: URLs, which the API's policy (font-src 'self') refuses.
    assetsInlineLimit: (file) => (/\.(woff2?|ttf)$/.test(file) ? false : undefined),
  },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"] },
});
