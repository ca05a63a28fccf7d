// The llm-chat playground: plain browser JavaScript, no framework and no build step.
// Everything the model or a user wrote is put on the page with textContent, never as HTML.

const KEY_STORAGE = "llm-chat.playground.apiKey";
const TERMINAL = ["succeeded", "failed", "canceled"];
const MAX_RECONNECTS = 6;
// The API is served from the same origin, one level above /playground/ (works behind a path prefix too).
const API_BASE = new URL("../", document.baseURI);

const el = (id) => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`playground: #${id} is missing from the page`);
  return found;
};
const ui = {
  keyForm: el("key-form"),
  keyInput: el("api-key"),
  forgetKey: el("forget-key"),
  error: el("error"),
  errorTitle: el("error-title"),
  errorDetail: el("error-detail"),
  errorFields: el("error-fields"),
  workspace: el("workspace"),
  intro: el("intro"),
  model: el("model"),
  newConversation: el("new-conversation"),
  conversations: el("conversations"),
  moreConversations: el("more-conversations"),
  title: el("conversation-title"),
  messages: el("messages"),
  promptForm: el("prompt-form"),
  prompt: el("prompt"),
  status: el("status"),
  cancel: el("cancel"),
  send: el("send"),
};

const state = {
  key: sessionStorage.getItem(KEY_STORAGE) ?? "",
  conversationId: null,
  nextCursor: null,
  /** The query being answered, and the controller that stops following it. */
  active: null,
};

/** A failed API call, carrying the problem+json body (RFC 9457) the API answers with. */
class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail ?? problem.title);
    this.status = status;
    this.problem = problem;
  }
}

async function toApiError(response) {
  const text = await response.text().catch(() => "");
  let problem = { title: `HTTP ${response.status}`, detail: text.slice(0, 500) || response.statusText };
  try {
    const body = JSON.parse(text);
    if (body && typeof body.title === "string") problem = body;
  } catch {
    // Not JSON (a proxy's error page, say): the status and the text are all there is.
  }
  return new ApiError(response.status, problem);
}

function apiUrl(path) {
  return new URL(`.${path}`, API_BASE);
}

function headers(extra = {}) {
  return { accept: "application/json", authorization: `Bearer ${state.key}`, ...extra };
}

async function api(path, { method = "GET", json, signal } = {}) {
  let response;
  try {
    response = await fetch(apiUrl(path), {
      method,
      headers: headers(json === undefined ? {} : { "content-type": "application/json" }),
      body: json === undefined ? undefined : JSON.stringify(json),
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, { title: "Network error", detail: `The API could not be reached (${error.message}).` });
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return null;
  return response.json();
}

function showError(error) {
  const problem =
    error instanceof ApiError
      ? error.problem
      : { title: "Something went wrong", detail: String(error?.message ?? error) };
  ui.errorTitle.textContent = problem.title;
  ui.errorDetail.textContent = problem.detail ?? "";
  ui.errorFields.replaceChildren(
    ...(problem.errors ?? []).map((field) => {
      const item = document.createElement("li");
      item.textContent = `${field.pointer}: ${field.message}`;
      return item;
    }),
  );
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
}

// ---- key --------------------------------------------------------------------------------

async function useKey(key) {
  state.key = key;
  sessionStorage.setItem(KEY_STORAGE, key);
  clearError();
  try {
    await Promise.all([loadModels(), loadConversations(false)]);
  } catch (error) {
    showError(error);
    ui.workspace.hidden = true;
    return;
  }
  ui.workspace.hidden = false;
  ui.intro.hidden = true;
  startNewConversation();
}

function forgetKey() {
  stopFollowing();
  state.key = "";
  sessionStorage.removeItem(KEY_STORAGE);
  ui.keyInput.value = "";
  ui.workspace.hidden = true;
  ui.intro.hidden = false;
  ui.messages.replaceChildren();
  ui.conversations.replaceChildren();
  clearError();
}

// ---- models and conversations ------------------------------------------------------------

async function loadModels() {
  const { data } = await api("/v1/models");
  ui.model.replaceChildren(
    ...data.map((model) => {
      const option = document.createElement("option");
      option.value = model.id;
      option.textContent = `${model.id} (${model.provider}, ${model.contextWindow} tokens)`;
      return option;
    }),
  );
}

async function loadConversations(append) {
  const query = new URLSearchParams({ limit: "20" });
  if (append && state.nextCursor) query.set("cursor", state.nextCursor);
  const page = await api(`/v1/conversations?${query}`);
  const items = page.data.map((conversation) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.id = conversation.id;
    const title = document.createElement("span");
    title.textContent = conversation.title ?? "Untitled";
    const meta = document.createElement("small");
    meta.textContent = `${conversation.model} · ${new Date(conversation.updatedAt).toLocaleString()}`;
    button.append(title, meta);
    button.addEventListener("click", () => openConversation(conversation.id).catch(showError));
    item.append(button);
    return item;
  });
  if (append) ui.conversations.append(...items);
  else ui.conversations.replaceChildren(...items);
  state.nextCursor = page.nextCursor;
  ui.moreConversations.hidden = !page.nextCursor;
  markActiveConversation();
}

function markActiveConversation() {
  for (const button of ui.conversations.querySelectorAll("button")) {
    button.classList.toggle("active", button.dataset.id === state.conversationId);
  }
}

function startNewConversation() {
  stopFollowing();
  state.conversationId = null;
  ui.title.textContent = "New conversation";
  ui.model.disabled = false;
  ui.messages.replaceChildren();
  markActiveConversation();
  ui.prompt.focus();
}

async function openConversation(id) {
  stopFollowing();
  clearError();
  const conversation = await api(`/v1/conversations/${encodeURIComponent(id)}`);
  state.conversationId = conversation.id;
  ui.title.textContent = conversation.title ?? "Untitled conversation";
  // A conversation keeps the model it was started with.
  ensureModelOption(conversation.model);
  ui.model.value = conversation.model;
  ui.model.disabled = true;
  ui.messages.replaceChildren();
  for (const message of conversation.messages) addMessage(message.role, message.content);
  markActiveConversation();
}

function ensureModelOption(id) {
  if ([...ui.model.options].some((option) => option.value === id)) return;
  const option = document.createElement("option");
  option.value = id;
  option.textContent = `${id} (no longer served)`;
  ui.model.append(option);
}

// ---- messages ----------------------------------------------------------------------------

function addMessage(role, text, status) {
  const item = document.createElement("li");
  item.className = `message ${role}`;
  const label = document.createElement("span");
  label.className = "role";
  label.textContent = role;
  const badge = document.createElement("span");
  badge.className = "badge";
  const content = document.createElement("div");
  content.className = "content";
  content.textContent = text;
  const problem = document.createElement("div");
  problem.className = "message-error";
  problem.hidden = true;
  item.append(label, badge, content, problem);
  ui.messages.append(item);
  item.scrollIntoView({ block: "end" });
  const view = { item, content, badge, problem };
  if (status) setMessageStatus(view, status);
  return view;
}

function setMessageStatus(view, status) {
  view.item.dataset.status = status;
  view.badge.textContent = status;
  ui.status.textContent = TERMINAL.includes(status) ? "" : `${status}…`;
}

// ---- asking ------------------------------------------------------------------------------

async function submitPrompt() {
  const prompt = ui.prompt.value.trim();
  if (!prompt || state.active) return;
  clearError();
  setBusy(true);
  try {
    const body = state.conversationId
      ? { prompt, conversationId: state.conversationId }
      : { prompt, model: ui.model.value };
    const query = await api("/v1/queries", { method: "POST", json: body });
    ui.prompt.value = "";
    addMessage("user", prompt);
    const view = addMessage("assistant", "", query.status);
    if (!state.conversationId) {
      state.conversationId = query.conversationId;
      ui.title.textContent = "Untitled conversation";
      ui.model.disabled = true;
      loadConversations(false).catch(showError);
    }
    await follow(query, view);
  } catch (error) {
    if (error.name !== "AbortError") showError(error);
  } finally {
    setBusy(false);
  }
}

function setBusy(busy) {
  ui.send.disabled = busy;
  ui.cancel.hidden = !busy;
  if (!busy) ui.status.textContent = "";
}

function stopFollowing() {
  state.active?.controller.abort();
  state.active = null;
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Streams a query's events until `done`. EventSource cannot send an Authorization header,
 * so the stream is read with fetch; a dropped connection is resumed with Last-Event-ID,
 * which makes the server send only the events after the last one shown.
 */
async function follow(query, view) {
  const controller = new AbortController();
  state.active = { id: query.id, controller };
  let lastEventId = null;
  let text = "";
  let failures = 0;
  try {
    while (!controller.signal.aborted) {
      try {
        const extra = { accept: "text/event-stream" };
        if (lastEventId) extra["last-event-id"] = lastEventId;
        const response = await fetch(apiUrl(`/v1/queries/${encodeURIComponent(query.id)}/events`), {
          headers: headers(extra),
          signal: controller.signal,
        });
        if (!response.ok) throw await toApiError(response);
        for await (const event of readEvents(response.body)) {
          failures = 0;
          if (event.id) lastEventId = event.id;
          const data = JSON.parse(event.data);
          if (event.event === "status") setMessageStatus(view, data.status);
          else if (event.event === "output") {
            text += data.delta;
            view.content.textContent = text;
          } else if (event.event === "done") {
            finish(view, data);
            return;
          }
        }
        // The stream ended without `done`: the connection was cut. Resume below.
      } catch (error) {
        if (controller.signal.aborted) return;
        // A client error (the query is gone, the key was revoked) will not get better by retrying.
        if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
          setMessageStatus(view, "error");
          showError(error);
          return;
        }
      }
      failures += 1;
      if (failures > MAX_RECONNECTS) {
        setMessageStatus(view, "disconnected");
        showError(
          new ApiError(0, {
            title: "Lost the event stream",
            detail: "The answer may still arrive: open the conversation again in a moment to see it.",
          }),
        );
        return;
      }
      setMessageStatus(view, "reconnecting");
      await sleep(Math.min(500 * 2 ** failures, 8000), controller.signal);
    }
  } finally {
    if (state.active?.controller === controller) state.active = null;
  }
}

function finish(view, done) {
  // The final output is authoritative (the deltas may have been cut short by a retry upstream).
  if (typeof done.output === "string") view.content.textContent = done.output;
  setMessageStatus(view, done.status);
  if (done.error) {
    view.problem.textContent = `${done.error.code}: ${done.error.message}`;
    view.problem.hidden = false;
  }
}

/** Server-Sent Events from a fetch body: yields {id, event, data} per the HTML spec's parsing rules. */
async function* readEvents(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let id = null;
  let type = "message";
  let data = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      // Only complete lines: a chunk may end in the middle of one.
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "") {
          if (data.length > 0) yield { id, event: type, data: data.join("\n") };
          id = null;
          type = "message";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue; // a comment: the server's keep-alive
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") data.push(value);
        else if (field === "event") type = value;
        else if (field === "id") id = value;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

async function cancelActive() {
  const active = state.active;
  if (!active) return;
  try {
    // The stream then ends with `done` and status canceled.
    await api(`/v1/queries/${encodeURIComponent(active.id)}/cancel`, { method: "POST" });
  } catch (error) {
    showError(error);
  }
}

// ---- wiring ------------------------------------------------------------------------------

ui.keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = ui.keyInput.value.trim();
  if (key) void useKey(key);
});
ui.forgetKey.addEventListener("click", forgetKey);
ui.newConversation.addEventListener("click", startNewConversation);
ui.moreConversations.addEventListener("click", () => loadConversations(true).catch(showError));
ui.promptForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void submitPrompt();
});
ui.prompt.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    void submitPrompt();
  }
});
ui.cancel.addEventListener("click", () => void cancelActive());

if (state.key) {
  ui.keyInput.value = state.key;
  void useKey(state.key);
}
