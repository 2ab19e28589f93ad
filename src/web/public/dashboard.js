// The dashboard page: renders the view the server pushes over Server-Sent Events
// (/events), and sends the call and publish forms. No framework and no build step; every
// value from the registry goes into the page as text, never as HTML.

/** @type {{ services: any[], topics: any[], webApps: any[] }} */
let view = { services: [], topics: [], webApps: [] };

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** Creates an element with attributes and children (strings become text nodes). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child);
  }
  return node;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function fieldList(message) {
  if (message.fields.length === 0) return el("p", { class: "empty" }, "no fields");
  return el(
    "ul",
    { class: "fields" },
    message.fields.map((field) =>
      el(
        "li",
        {},
        el("span", { class: "mono" }, field.name),
        " ",
        el("span", { class: "type mono" }, `${field.repeated ? "repeated " : ""}${field.type}`),
      ),
    ),
  );
}

function renderService(record) {
  const nodes = el(
    "table",
    {},
    el(
      "thead",
      {},
      el("tr", {}, el("th", {}, "node"), el("th", {}, "address"), el("th", {}, "metadata")),
    ),
    el(
      "tbody",
      {},
      record.nodes.map((node) =>
        el(
          "tr",
          {},
          el("td", { class: "mono" }, node.id),
          el("td", { class: "mono" }, node.address),
          el(
            "td",
            {},
            Object.entries(node.metadata).map(([key, value]) =>
              el("span", { class: "chip mono" }, `${key}=${value}`),
            ),
          ),
        ),
      ),
    ),
  );
  const endpoints =
    record.endpoints.length === 0
      ? el("p", { class: "empty" }, "no endpoints registered")
      : el(
          "table",
          { class: "endpoints" },
          el(
            "thead",
            {},
            el(
              "tr",
              {},
              el("th", {}, "endpoint"),
              el("th", {}, "request"),
              el("th", {}, "response"),
              el("th", {}, ""),
            ),
          ),
          el(
            "tbody",
            {},
            record.endpoints.map((endpoint) =>
              el(
                "tr",
                { "data-endpoint": endpoint.name },
                el(
                  "td",
                  {},
                  el("div", { class: "mono" }, endpoint.name),
                  el("div", { class: "kind" }, endpoint.kind.replace("_", " ")),
                  endpoint.http.map((rule) =>
                    el("div", { class: "route mono" }, `${rule.method} ${rule.path}`),
                  ),
                ),
                el(
                  "td",
                  {},
                  el("div", { class: "type mono" }, endpoint.request.type),
                  fieldList(endpoint.request),
                ),
                el(
                  "td",
                  {},
                  el("div", { class: "type mono" }, endpoint.response.type),
                  fieldList(endpoint.response),
                ),
                el(
                  "td",
                  {},
                  callable(endpoint)
                    ? el(
                        "button",
                        {
                          type: "button",
                          class: "link",
                          onclick: () => chooseEndpoint(record.name, endpoint.name),
                        },
                        "try",
                      )
                    : "",
                ),
              ),
            ),
          ),
        );
  return el(
    "article",
    { class: "card", "data-service": record.name },
    el("h3", {}, record.name, el("span", { class: "version" }, record.version)),
    el("h4", {}, plural(record.nodes.length, "node")),
    nodes,
    el("h4", {}, plural(record.endpoints.length, "endpoint")),
    endpoints,
  );
}

function renderTopics() {
  if (view.topics.length === 0) return el("p", { class: "empty plain" }, "no subscribers");
  return el(
    "table",
    { class: "plain" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", {}, "topic"),
        el("th", {}, "subscriptions"),
        el("th", {}, "queue groups"),
      ),
    ),
    el(
      "tbody",
      {},
      view.topics.map((topic) => {
        const queues = [
          ...new Set(topic.subscriptions.map((s) => s.queue).filter((q) => q !== "")),
        ];
        return el(
          "tr",
          { "data-topic": topic.topic },
          el("td", { class: "mono" }, topic.topic),
          el("td", {}, String(topic.subscriptions.length)),
          el(
            "td",
            {},
            queues.length === 0
              ? "none (every subscriber gets every message)"
              : queues.map((q) => el("span", { class: "chip mono" }, q)),
          ),
        );
      }),
    ),
  );
}

function renderWebApps() {
  if (view.webApps.length === 0) return el("p", { class: "empty plain" }, "no web apps registered");
  return el(
    "ul",
    { class: "plain" },
    view.webApps.map((app) =>
      el(
        "li",
        {},
        el("a", { href: `/${encodeURIComponent(app.name)}/` }, `/${app.name}/`),
        " ",
        el("span", { class: "kind" }, `${app.service}, ${plural(app.nodes.length, "node")}`),
      ),
    ),
  );
}

function render() {
  const nodes = view.services.reduce((sum, record) => sum + record.nodes.length, 0);
  $("summary").textContent =
    `${plural(new Set(view.services.map((s) => s.name)).size, "service")}, ${plural(nodes, "node")}, ${plural(view.topics.length, "topic")}`;
  $("services").replaceChildren(
    ...(view.services.length === 0
      ? [el("p", { class: "empty plain" }, "no services registered")]
      : view.services.map(renderService)),
  );
  $("topics").replaceChildren(renderTopics());
  $("webapps").replaceChildren(renderWebApps());
  $("topic-names").replaceChildren(...view.topics.map((t) => el("option", { value: t.topic })));
  renderCallChoices();
}

/** Client and bidi streams need the caller to stream too, which a form cannot. */
function callable(endpoint) {
  return endpoint.kind === "unary" || endpoint.kind === "server_streaming";
}

function endpointsOf(name) {
  const seen = new Map();
  for (const record of view.services.filter((s) => s.name === name)) {
    for (const endpoint of record.endpoints)
      if (callable(endpoint)) seen.set(endpoint.name, endpoint);
  }
  return [...seen.values()];
}

/** Keeps the user's choice across live updates when it still exists. */
function renderCallChoices() {
  const services = $("call-service");
  const chosen = services.value;
  const names = [...new Set(view.services.map((s) => s.name))];
  services.replaceChildren(...names.map((name) => el("option", { value: name }, name)));
  if (names.includes(chosen)) services.value = chosen;
  renderEndpointChoices(false);
}

function renderEndpointChoices(resetRequest) {
  const endpoints = $("call-endpoint");
  const chosen = endpoints.value;
  const list = endpointsOf($("call-service").value);
  endpoints.replaceChildren(
    ...list.map((e) => el("option", { value: e.name }, `${e.name} (${e.kind.replace("_", " ")})`)),
  );
  if (list.some((e) => e.name === chosen)) endpoints.value = chosen;
  /** @type {HTMLButtonElement} */ ($("call-send")).disabled = list.length === 0;
  if (resetRequest || endpoints.value !== chosen) fillRequest();
}

/** A request skeleton from the endpoint's field schema: one key per field. */
function fillRequest() {
  const endpoint = endpointsOf($("call-service").value).find(
    (e) => e.name === $("call-endpoint").value,
  );
  if (!endpoint) return;
  const sample = {};
  for (const field of endpoint.request.fields) {
    sample[field.name] = field.repeated
      ? []
      : field.kind === "message" || field.kind === "map"
        ? {}
        : sampleScalar(field.type);
  }
  /** @type {HTMLTextAreaElement} */ ($("call-request")).value = JSON.stringify(sample, null, 2);
}

function sampleScalar(type) {
  if (type === "bool") return false;
  if (/^(int64|uint64|sint64|fixed64|sfixed64)$/.test(type)) return "0";
  if (/int|fixed|double|float/.test(type)) return 0;
  return "";
}

function chooseEndpoint(service, endpoint) {
  /** @type {HTMLSelectElement} */ ($("call-service")).value = service;
  renderEndpointChoices(false);
  /** @type {HTMLSelectElement} */ ($("call-endpoint")).value = endpoint;
  fillRequest();
  $("call-request").focus();
}

function show(id, outcome, text) {
  const output = $(id);
  output.dataset.outcome = outcome;
  output.textContent = text;
}

function parseObject(text, what) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not JSON: ${error.message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`${what} must be a JSON object`);
  return value;
}

/** Micro errors arrive as JSON {id, code, detail, status}; anything else is shown as it came. */
async function describeFailure(response) {
  const text = await response.text();
  try {
    const error = JSON.parse(text);
    if (error && typeof error.detail === "string")
      return `${response.status} ${error.status ?? ""}: ${error.detail}${error.id ? ` (${error.id})` : ""}`;
  } catch {
    // not JSON: fall through
  }
  return `${response.status} ${response.statusText}: ${text}`;
}

async function call(event) {
  event.preventDefault();
  const service = /** @type {HTMLSelectElement} */ ($("call-service")).value;
  const endpoint = endpointsOf(service).find((e) => e.name === $("call-endpoint").value);
  if (!endpoint) return show("call-result", "error", "choose an endpoint");
  const button = /** @type {HTMLButtonElement} */ ($("call-send"));
  button.disabled = true;
  try {
    const request = parseObject(
      /** @type {HTMLTextAreaElement} */ ($("call-request")).value,
      "the request",
    );
    const [serviceName, method] = endpoint.name.split(".");
    const streaming = endpoint.kind === "server_streaming";
    const response = await fetch(
      `/api/${encodeURIComponent(service)}/${encodeURIComponent(serviceName)}/${encodeURIComponent(method)}`,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: streaming ? "application/x-ndjson" : "application/json",
        },
        body: JSON.stringify(request),
      },
    );
    if (!response.ok) return show("call-result", "error", await describeFailure(response));
    if (!streaming)
      return show("call-result", "ok", JSON.stringify(await response.json(), null, 2));
    show("call-result", "ok", "");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") $("call-result").textContent += `${line}\n`;
    }
  } catch (error) {
    show("call-result", "error", error.message);
  } finally {
    button.disabled = endpointsOf($("call-service").value).length === 0;
  }
}

async function publish(event) {
  event.preventDefault();
  const topic = /** @type {HTMLInputElement} */ ($("publish-topic")).value.trim();
  const button = /** @type {HTMLButtonElement} */ ($("publish-send"));
  button.disabled = true;
  try {
    const message = parseObject(
      /** @type {HTMLTextAreaElement} */ ($("publish-message")).value,
      "the message",
    );
    const response = await fetch("/publish", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ topic, message }),
    });
    if (!response.ok) return show("publish-result", "error", await describeFailure(response));
    const reply = await response.json();
    show(
      "publish-result",
      "ok",
      `published to ${reply.topic} (${plural(reply.subscriptions, "subscription")})`,
    );
  } catch (error) {
    show("publish-result", "error", error.message);
  } finally {
    button.disabled = false;
  }
}

function connect() {
  const events = new EventSource("/events");
  events.addEventListener("open", () => {
    $("live").dataset.state = "live";
    $("live").textContent = "live";
  });
  events.addEventListener("view", (event) => {
    view = JSON.parse(event.data);
    render();
  });
  events.addEventListener("failure", (event) => {
    $("live").dataset.state = "down";
    $("live").textContent = JSON.parse(event.data).error;
  });
  // EventSource reconnects by itself; say so while it does.
  events.addEventListener("error", () => {
    $("live").dataset.state = "down";
    $("live").textContent = "reconnecting";
  });
}

$("call-service").addEventListener("change", () => renderEndpointChoices(true));
$("call-endpoint").addEventListener("change", fillRequest);
$("call-form").addEventListener("submit", call);
$("publish-form").addEventListener("submit", publish);
connect();
