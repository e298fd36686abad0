// Unit and conformance tests only: no Docker daemon, no global setup (`npm run test:unit`).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["test/unit/**/*.test.ts", "test/conformance/**/*.test.ts"] },
});
