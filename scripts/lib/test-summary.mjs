// Prints one closing line for every vitest run of scripts/test.sh, read from their JSON
// reports: CI reads "N passed, N failed" to know that tests ran (vitest's own summary is
// not among the formats it reads).
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
// A run that crashed before reporting leaves no file (or an unexpanded glob): count what exists.
for (const file of process.argv.slice(2).filter((name) => existsSync(name))) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
