import { type IdKind, idPrefix } from "@llm-chat/contracts";
import { monotonicFactory } from "ulid";

const ulid = monotonicFactory();

export function newId(kind: IdKind): string {
  return `${idPrefix[kind]}_${ulid()}`;
}
