import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "packages/*/test/**/*.test.ts",
            "apps/*/test/**/*.test.ts",
            "deploy/test/**/*.test.ts",
            "tests/docs/**/*.test.ts",
          ],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          // Setting exclude replaces vitest's defaults, which keep node_modules out: keep them.
          exclude: [...configDefaults.exclude, "tests/e2e/faults/**"],
          environment: "node",
          // Each file starts its own API and worker processes; two cores do not fit more.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // `pnpm test:faults`: stops and restarts Redis and FerretDB, so on servers of its own.
          name: "faults",
          include: ["tests/e2e/faults/**/*.test.ts"],
          environment: "node",
          fileParallelism: false,
          globalSetup: ["tests/e2e/faults/support/servers.ts"],
          // The 500-query SIGKILL scenario alone takes about 3 minutes on two cores.
          testTimeout: 480_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
