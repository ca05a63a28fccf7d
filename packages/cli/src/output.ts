import { ApiError } from "@llm-chat/client";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A list as aligned columns; long cells (titles) are cut so each row stays one line. */
export function printTable(rows: string[][]): void {
  const cut = (cell: string) => (cell.length > 60 ? `${cell.slice(0, 59)}…` : cell);
  const cells = rows.map((row) => row.map(cut));
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0))) ?? [];
  for (const row of cells) {
    process.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd()}\n`,
    );
  }
}

/** One line per failure: `error: 422 Validation failed: invalid body: prompt (/prompt: must not be empty)`. */
export function formatError(error: unknown): string {
  if (error instanceof ApiError && error.errors.length > 0) {
    return `error: ${error.message} (${error.errors.map((e) => `${e.pointer}: ${e.message}`).join("; ")})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `error: ${message.replace(/\s*\n\s*/g, " ")}`;
}
