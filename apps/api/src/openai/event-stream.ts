import type { Request, Response } from "express";
import { startSse } from "../http/sse.js";

const KEEP_ALIVE_MS = 15_000;

export interface EventStream {
  /** One SSE message: `event:` (when named) and `data:` lines. */
  send(data: unknown, event?: string): void;
  /** Raw `data:` text, for OpenAI's closing `[DONE]`. */
  sendRaw(data: string): void;
  end(): void;
  /** Aborts when the client goes away before `end`. */
  gone: AbortSignal;
}

/** Starts a Server-Sent Events answer as OpenAI streams it, with keep-alive comments. */
export function openEventStream(req: Request, res: Response): EventStream {
  startSse(req, res);
  const gone = new AbortController();
  let ended = false;
  const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
  res.on("close", () => {
    clearInterval(keepAlive);
    if (!ended) gone.abort();
  });
  const write = (text: string) => {
    if (!ended) res.write(text);
  };
  return {
    send: (data, event) => write(`${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`),
    sendRaw: (data) => write(`data: ${data}\n\n`),
    end() {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      res.end();
    },
    gone: gone.signal,
  };
}
