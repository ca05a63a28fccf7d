import { accessSync, constants, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { register } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const PROMPT = "Hello <b>playground</b> & friends";
const ANSWER = `You said: ${PROMPT}`;

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** CHROMIUM_PATH (scripts/lib/chromium.sh exports it), else chromium on PATH. Missing is a failure, not a skip. */
function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (executable(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH=${fromEnv} is not an executable file`);
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) {
      if (dir && executable(join(dir, name))) return join(dir, name);
    }
  }
  throw new Error(
    "The playground test needs Chromium: set CHROMIUM_PATH, or install Debian's package " +
      "(apt-get install -y chromium); scripts/test.sh does it through scripts/lib/chromium.sh.",
  );
}

/**
 * From now on, every text the (last) answer shows on its way, to see it streamed rather than
 * shown at the end. Browser code as a string: this project is typed without the DOM library.
 */
const RECORD_ANSWER_TEXTS = `{
  const seen = (window.seen = []);
  new MutationObserver(() => {
    const answers = document.querySelectorAll(".message.assistant .content");
    const text = answers[answers.length - 1]?.textContent;
    if (text) seen.push(text);
  }).observe(document.getElementById("messages"), { subtree: true, childList: true, characterData: true });
}`;
const recordAnswerTexts = (page: Page) => page.evaluate(RECORD_ANSWER_TEXTS);
const answerTexts = (page: Page) => page.evaluate<string[]>("window.seen");

describe("the playground", () => {
  let system: System;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const executablePath = findChromium();
    // Tokens come 150 ms apart, so the answer is seen arriving piece by piece.
    system = await startSystem({ standIn: { latencyMs: 300, tokenDelayMs: 150 } });
    browser = await chromium.launch({
      executablePath,
      headless: true,
      // Chromium's sandbox refuses to run as root (containers, CI); a normal user keeps it.
      args: [...(process.getuid?.() === 0 ? ["--no-sandbox"] : []), "--disable-dev-shm-usage"],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    // A CSP violation or a script error shows up here; the page must have none.
    page.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(`console: ${message.text()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it("is served without a key, with its own strict CSP", async () => {
    const response = await fetch(`${system.api.url}/playground`, { redirect: "manual" });
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe("/playground/");
    const pageResponse = await fetch(`${system.api.url}/playground/`);
    expect(pageResponse.status).toBe(200);
    expect(pageResponse.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = pageResponse.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
  });

  it("chats: a key, a prompt, the answer streamed in, escaped", async () => {
    const { key } = await register(system.api.url);
    await page.goto(`${system.api.url}/playground`);
    await page.fill("#api-key", key);
    await page.click("#use-key");
    await page.waitForSelector("#workspace:not([hidden])");
    expect(await page.locator("#model option").count()).toBeGreaterThan(0);

    await recordAnswerTexts(page);
    await page.fill("#prompt", PROMPT);
    await page.click("#send");

    const answer = page.locator('.message.assistant[data-status="succeeded"] .content');
    await answer.waitFor({ timeout: 30_000 });
    expect(await answer.textContent()).toBe(ANSWER);
    // textContent, never HTML: the model's "<b>" is text, not an element.
    expect(await page.locator(".message b").count()).toBe(0);
    expect(await page.locator(".message.user .content").textContent()).toBe(PROMPT);
    const seen = await answerTexts(page);
    expect(seen.some((text) => text.length > 0 && text.length < ANSWER.length && ANSWER.startsWith(text))).toBe(true);
    expect(await page.locator("#error").isHidden()).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "playground.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it("resumes a conversation after a reload (the key is kept for the tab)", async () => {
    await page.reload();
    await page.waitForSelector("#workspace:not([hidden])");
    const conversation = page.locator("#conversations button").first();
    await conversation.waitFor();
    await conversation.click();
    await page.waitForSelector(".message.assistant");
    expect(await page.locator(".message .content").allTextContents()).toEqual([PROMPT, ANSWER]);
    expect(await page.locator("#model").isDisabled()).toBe(true);

    await page.fill("#prompt", "And again");
    await page.click("#send");
    // The fourth message: prompt and answer from before, then this prompt and its answer.
    const second = page.locator('.message.assistant:nth-child(4)[data-status="succeeded"] .content');
    await second.waitFor({ timeout: 30_000 });
    expect(await second.textContent()).toBe("You said: And again");
    expect(pageErrors).toEqual([]);
  });

  it("resumes a dropped event stream with Last-Event-ID, without repeating text", async () => {
    // The first connection is cut after a few events (it ends without `done`); later ones go through.
    const lastEventIds: (string | undefined)[] = [];
    let keptIds: string[] = [];
    await page.route("**/v1/queries/*/events", async (route) => {
      lastEventIds.push(route.request().headers()["last-event-id"]);
      if (lastEventIds.length > 1) return route.continue();
      const response = await route.fetch();
      const frames = (await response.text()).split("\n\n").filter((frame) => frame.startsWith("id: "));
      const kept = frames.slice(0, frames.findIndex((frame) => frame.includes("event: output")) + 2);
      keptIds = kept.map((frame) => frame.slice(4, frame.indexOf("\n")));
      await route.fulfill({ response, body: kept.map((frame) => `${frame}\n\n`).join("") });
    });
    await page.click("#new-conversation");
    await recordAnswerTexts(page);
    const prompt = "one two three four five six";
    await page.fill("#prompt", prompt);
    await page.click("#send");
    const answer = page.locator('.message.assistant[data-status="succeeded"] .content');
    await answer.waitFor({ timeout: 30_000 });
    await page.unroute("**/v1/queries/*/events");

    expect(await answer.textContent()).toBe(`You said: ${prompt}`);
    expect(keptIds.length).toBeGreaterThanOrEqual(2);
    expect(lastEventIds.slice(0, 2)).toEqual([undefined, keptIds.at(-1)]);
    // Every text shown on the way is a prefix of the answer: no delta was shown twice.
    const seen = await answerTexts(page);
    for (const text of seen) expect(`You said: ${prompt}`.startsWith(text), text).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("shows the API's problem+json when the key is refused", async () => {
    await page.click("#forget-key");
    await page.fill("#api-key", "llmc_not-a-real-key");
    await page.click("#use-key");
    await page.waitForSelector("#error:not([hidden])");
    expect(await page.locator("#error-title").textContent()).toMatch(/unauthori[sz]ed|invalid|credentials/i);
    expect(await page.locator("#workspace").isHidden()).toBe(true);
  });
});
