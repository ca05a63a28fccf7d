/**
 * Chat-template control markers typed by a user (or echoed by a model) would let text
 * pose as a turn boundary or a system prompt. They are rewritten into look-alikes that
 * read the same to a person but are not the sequences the models were trained on.
 *
 * Every pattern runs in time linear in the text (it runs on the API's event loop at submit
 * and in the worker on every turn). A plain `\s*\/?\s*` lets the engine split one run of
 * spaces between the two `\s*` in every possible way: quadratic per run. Here each run of
 * whitespace is taken atomically, `(?=(\s*))\N`: the lookahead matches the whole run once
 * and the backreference consumes exactly that, so the engine never backtracks into a run;
 * the only other quantifier is a single optional `/`.
 */
const run = (group: number) => `(?=(\\s*))\\${group}`;

export const MARKER_PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`\[${run(1)}\/?${run(2)}INST${run(3)}\]`, "gi"),
  new RegExp(String.raw`<<${run(1)}\/?${run(2)}SYS${run(3)}>>`, "gi"),
  new RegExp(String.raw`<${run(1)}\/?${run(2)}s${run(3)}>`, "gi"),
];

const replacements: ((slash: string) => string)[] = [
  (slash) => `(${slash}INST)`,
  (slash) => `«${slash}SYS»`,
  (slash) => `‹${slash}s›`,
];

export function neutraliseMarkers(text: string): string {
  let out = text;
  MARKER_PATTERNS.forEach((pattern, i) => {
    const replace = replacements[i];
    if (replace) out = out.replace(pattern, (m) => replace(m.includes("/") ? "/" : ""));
  });
  return out;
}
