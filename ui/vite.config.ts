import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// Vitest sets this; Svelte must resolve its browser build there (svelte-testing-library#452).
const isVitest = Boolean((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.VITEST);

// Tauri expects a fixed port in dev and a relative build in ui/dist.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true },
  resolve: isVitest ? { conditions: ["browser"] } : undefined,
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test-setup.ts"],
    include: ["src/**/*.test.ts"],
  },
});
