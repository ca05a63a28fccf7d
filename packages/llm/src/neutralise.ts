/**
 * Chat-template control markers typed by a user (or echoed by a model) would let text
 * pose as a turn boundary or a system prompt. They are rewritten into look-alikes that
 * read the same to a person but are not the sequences the models were trained on.
 */
const markers: [RegExp, (match: string) => string][] = [
  [/\[\s*(\/?)\s*INST\s*\]/gi, (m) => `(${m.includes("/") ? "/" : ""}INST)`],
  [/<<\s*(\/?)\s*SYS\s*>>/gi, (m) => `«${m.includes("/") ? "/" : ""}SYS»`],
  [/<\s*(\/?)\s*s\s*>/gi, (m) => `‹${m.includes("/") ? "/" : ""}s›`],
];

export function neutraliseMarkers(text: string): string {
  let out = text;
  for (const [pattern, replace] of markers) out = out.replace(pattern, replace);
  return out;
}
