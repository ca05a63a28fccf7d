import type { Request, Response } from "express";

/**
 * Starts a Server-Sent Events answer: both event streams (GET /v1/queries/:id/stream and the
 * OpenAI surface's) begin the same way, then write their own events.
 */
export function startSse(req: Request, res: Response): void {
  res.status(200).set({
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    Connection: "keep-alive",
    // Proxies (nginx) must pass events on as they come, not buffer them.
    "X-Accel-Buffering": "no",
  });
  res.flushHeaders();
  // Long-lived by design: the server's request timeout must not cut it.
  req.socket.setTimeout(0);
}
