import Replicate, { type ServerSentEvent } from "replicate";
import { describe, expect, it } from "vitest";
import { MALFORMED_MARKER, type ReplicateStandIn, startReplicateStandIn } from "../src/index.js";
import { standInForFile } from "./support/stand-in-suite.js";

let standIn: ReplicateStandIn;
let replicate: Replicate;

standInForFile(
  () => startReplicateStandIn({ latencyMs: 20 }),
  undefined,
  (started) => {
    standIn = started;
    replicate = new Replicate({ auth: "anything", baseUrl: started.url });
  },
);

describe("Replicate stand-in [[malformed]] marker", () => {
  it("ends the prediction succeeded with an output that is not an array of strings", async () => {
    const prediction = await replicate.predictions.create({
      model: "meta/llama",
      input: { prompt: `please ${MALFORMED_MARKER}` },
      wait: true,
    });

    expect(prediction.status).toBe("succeeded");
    expect(prediction.error).toBeNull();
    expect(prediction.output).toEqual({ not: "text" });
    expect(Array.isArray(prediction.output)).toBe(false);
    expect(prediction.metrics).toMatchObject({ output_token_count: 0 });

    // run() hands the non-text output over as it is.
    expect(await replicate.run("meta/llama", { input: { prompt: MALFORMED_MARKER } })).toEqual({ not: "text" });
  });

  it("streams the non-text output as one output event and then done", async () => {
    standIn.setBehaviour({ streamUrls: "always" });
    const events: ServerSentEvent[] = [];
    for await (const event of replicate.stream("meta/llama", {
      input: { prompt: `[[slow:100]] ${MALFORMED_MARKER}` },
    })) {
      events.push(event);
    }

    expect(events.map((event) => [event.event, event.data])).toEqual([
      ["output", '{"not":"text"}'],
      ["done", "{}"],
    ]);

    // A subscriber arriving after completion gets the same story.
    const id = standIn.inputs.at(-1)?.predictionId ?? "";
    const late = await fetch(`${standIn.url}/predictions/${id}/stream`, { headers: { Accept: "text/event-stream" } });
    expect(await late.text()).toBe('event: output\nid: 0\ndata: {"not":"text"}\n\nevent: done\nid: 1\ndata: {}\n\n');
  });
});
