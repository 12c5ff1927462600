// Event hub page: subscribes to /.well-known/mercure and lists updates.
//
// DOM hooks (used by the end-to-end browser test):
//   #status[data-state]     idle | connecting | open | closed | unsupported
//   #updates > li.update[data-id]   one per update, in arrival order, with
//       time.time, .id, .type, .data and, for replayed ones, .mark and
//       data-replayed="true"
//   #updates > li.reconnect  one per reconnect
// Opening the page with ?topic=…&topic=…[&type=…] subscribes at once.
// Server data only ever reaches the DOM through textContent.
"use strict";

(function () {
  const HUB_URL = "/.well-known/mercure";
  // Updates arriving this soon after a resumed (re)connect are the hub's
  // catch-up from its history: the hub sends the history first, at once.
  const REPLAY_WINDOW_MS = 300;

  const form = document.getElementById("subscribe");
  const topicInput = document.getElementById("topic");
  const typesInput = document.getElementById("types");
  const tokenInput = document.getElementById("token");
  const earliestInput = document.getElementById("earliest");
  const status = document.getElementById("status");
  const statusText = document.getElementById("status-text");
  const list = document.getElementById("updates");
  const empty = document.getElementById("empty");

  let source = null;

  function words(text) {
    return text.split(/\s+/).filter(Boolean);
  }

  function setState(state, text) {
    status.dataset.state = state;
    statusText.textContent = text;
  }

  const clock = window.spinSseClock;

  function span(className, text) {
    const element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function addUpdate(event, replayed) {
    const now = new Date();
    const item = document.createElement("li");
    item.className = "event update";
    item.dataset.id = event.lastEventId;
    const time = document.createElement("time");
    time.className = "time";
    time.dateTime = now.toISOString();
    time.textContent = clock(now);
    item.append(time, span("id", event.lastEventId), span("type", event.type));
    if (replayed) {
      item.dataset.replayed = "true";
      item.append(span("mark", "replayed"));
    }
    item.append(span("data", event.data));
    list.append(item);
    empty.hidden = true;
  }

  function addReconnect(lastId) {
    const item = document.createElement("li");
    item.className = "reconnect";
    item.textContent = lastId
      ? "Reconnected; the hub resumes after " + lastId + "."
      : "Reconnected.";
    list.append(item);
  }

  function hubUrl(selectors, token, earliest) {
    const params = new URLSearchParams();
    selectors.forEach(function (selector) {
      params.append("topic", selector);
    });
    if (token) {
      params.append("authorization", token);
    }
    if (earliest) {
      params.append("lastEventID", "earliest");
    }
    return HUB_URL + "?" + params.toString();
  }

  function subscribe(selectors, types, token, earliest) {
    if (source) {
      source.close();
    }
    let lastId = "";
    let reconnecting = false;
    let resumedAt = earliest ? Infinity : -Infinity;
    setState("connecting", "Connecting to " + HUB_URL + "…");
    source = new EventSource(hubUrl(selectors, token, earliest));
    const current = source;

    function onUpdate(event) {
      lastId = event.lastEventId || lastId;
      addUpdate(event, performance.now() - resumedAt < REPLAY_WINDOW_MS);
    }

    current.addEventListener("message", onUpdate);
    // Updates published with a `type` arrive as events of that name.
    types.forEach(function (type) {
      current.addEventListener(type, onUpdate);
    });

    current.addEventListener("open", function () {
      if (reconnecting) {
        addReconnect(lastId);
      }
      if (reconnecting || resumedAt === Infinity) {
        resumedAt = performance.now();
      }
      reconnecting = false;
      setState("open", "Open: " + selectors.join(" ") + ".");
    });

    current.addEventListener("error", function () {
      if (current.readyState === EventSource.CLOSED) {
        setState("closed", "The hub refused or closed the stream.");
        return;
      }
      reconnecting = true;
      setState("connecting", "Stream dropped; reconnecting…");
    });
  }

  if (!("EventSource" in window)) {
    setState("unsupported", "This browser does not support EventSource, so updates cannot be shown.");
    form.hidden = true;
    return;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const selectors = words(topicInput.value);
    if (selectors.length > 0) {
      subscribe(selectors, words(typesInput.value), tokenInput.value.trim(), earliestInput.checked);
    }
  });

  const fromUrl = new URLSearchParams(window.location.search).getAll("topic");
  if (fromUrl.length > 0) {
    topicInput.value = fromUrl.join(" ");
    subscribe(fromUrl, new URLSearchParams(window.location.search).getAll("type"), "", false);
  }
})();
