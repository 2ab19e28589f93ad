import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
  test: {
    include: ["**/*.test.ts"],
    // templates/ hold the tests of scaffolded projects: test/scaffold runs them there.
    exclude: ["**/node_modules/**", "**/dist/**", "templates/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
