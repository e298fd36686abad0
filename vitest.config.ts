import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests share one private Docker Swarm started by the global setup.
    globalSetup: ["test/helpers/build-cli.ts", "test/helpers/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: the Swarm tests are heavy; run files in parallel but not too many.
    maxWorkers: 2,
  },
});
