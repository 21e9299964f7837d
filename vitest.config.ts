import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30000,
    hookTimeout: 30000,
    // Integration tests start real brokers and servers on free ports; two cores, so keep it modest.
    maxWorkers: 2,
  },
});
