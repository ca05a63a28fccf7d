import type { ServerResponse } from "node:http";
import { type JsonObject, sendJson } from "../shared/http-json.js";

/** Replicate's error body shape: `{ title?, detail, status }`. */
export function sendProblem(
  res: ServerResponse,
  status: number,
  detail: string,
  extra: JsonObject = {},
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { ...extra, detail, status }, headers);
}
