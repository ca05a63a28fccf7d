/** RFC 9457 problem details, as every error response of the API. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Validation failures: one entry per bad field, `pointer` is a JSON pointer into the request part. */
  errors?: { in: "body" | "query" | "path" | "header"; pointer: string; message: string }[];
}
