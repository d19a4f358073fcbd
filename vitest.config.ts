import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: a single one on 2 cores. The slow files mostly wait (on the
    // CLI's poll interval, the emulator's clock, child processes), so two files at a time use the idle core.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ["default", "./test/support/closing-line-reporter.ts"],
  },
});
