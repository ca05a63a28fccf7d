import type { Problem } from "@llm-chat/contracts";
import type { Logger } from "@llm-chat/runtime";
import type { ErrorRequestHandler } from "express";
import { DomainError } from "../use-cases/domain-error.js";
import { HttpProblem, isBackendUnavailable, problemType, sendProblem } from "./problem.js";
import { problemFromDomain } from "./problem-from-domain.js";

/** body-parser reports its failures with a `type`; map them to the status a client can act on. */
const parserErrors: Record<string, [number, string]> = {
  "entity.parse.failed": [400, "Malformed JSON"],
  "entity.too.large": [413, "Request body too large"],
  "encoding.unsupported": [415, "Unsupported content encoding"],
  "charset.unsupported": [415, "Unsupported charset"],
  "request.aborted": [400, "Request aborted"],
  "request.size.invalid": [400, "Request size did not match Content-Length"],
};

/** The last error handler: every error a native route throws or passes on ends here as problem+json. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    const answer = error instanceof DomainError ? problemFromDomain(error) : error;
    if (answer instanceof HttpProblem) {
      const problem: Problem = { type: problemType(answer.title), title: answer.title, status: answer.status };
      if (answer.detail) problem.detail = answer.detail;
      if (answer.errors) problem.errors = answer.errors;
      sendProblem(res, problem, answer.headers);
      return;
    }
    const type = typeof error === "object" && error !== null && "type" in error ? String(error.type) : "";
    const mapped = parserErrors[type];
    if (mapped) {
      const [status, title] = mapped;
      sendProblem(res, { type: problemType(title), title, status });
      return;
    }
    if (isBackendUnavailable(error)) {
      logger.warn({ err: error, method: req.method, url: req.originalUrl }, "backend unavailable");
      sendProblem(
        res,
        {
          type: problemType("Service unavailable"),
          title: "Service unavailable",
          status: 503,
          detail: "a backing service is unreachable; try again shortly",
        },
        { "Retry-After": "5" },
      );
      return;
    }
    // Internal details stay in the log; the client gets a generic problem.
    logger.error({ err: error, method: req.method, url: req.originalUrl }, "unhandled error");
    sendProblem(res, { type: problemType("Internal server error"), title: "Internal server error", status: 500 });
  };
}
