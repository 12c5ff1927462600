// The hub page's active subscriptions: GET {hub}/subscriptions with the
// subscriber token, then a stream of the subscription events
// (topic /.well-known/mercure/subscriptions{/topic}{/subscriber}, from the
// list's lastEventID) keeps the list live.
//
// DOM hooks: #subscriptions-status[data-state] (loading | live | off |
// refused | error | stopped); #subscriptions > li.subscription[data-id]
// [data-active="true"|"false"] with .topic, .subscriber, .state and
// pre.payload. An ended subscription stays, marked, until the next load.
// The list is also fetched again every RESYNC_MS: a subscription gone from
// it is marked ended too (a WASI 0.2 hub cannot send the end event of a
// subscriber that left: its entry expires instead).
"use strict";

(function () {
  const hub = window.spinSseHub;
  const EVENTS_TOPIC = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
  const list = document.getElementById("subscriptions");
  const statusLine = document.getElementById("subscriptions-status");
  const loadButton = document.getElementById("subscriptions-load");
  const stopButton = document.getElementById("subscriptions-stop");
  const clock = window.spinSseClock;
  const RESYNC_MS = 5000;
  let stream = null;
  let resync = null;

  function show(state, text) {
    statusLine.dataset.state = state;
    statusLine.textContent = text;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function field(label, value, className) {
    const row = element("div", "field " + className);
    row.append(element("span", "label", label + " "), element("code", "value", value));
    return row;
  }

  function render(subscription) {
    const item = element("li", "subscription");
    item.dataset.id = subscription.id;
    item.append(
      element("span", "state"),
      field("topic", subscription.topic, "topic"),
      field("subscriber", subscription.subscriber, "subscriber")
    );
    if (subscription.payload !== undefined && subscription.payload !== null) {
      item.append(element("pre", "payload data", JSON.stringify(subscription.payload, null, 2)));
    }
    return item;
  }

  function setActive(item, active, how) {
    if (item.dataset.active === String(active)) return;
    item.dataset.active = String(active);
    const state = item.querySelector(".state");
    state.textContent = active ? "active" : "ended " + clock(new Date()) + (how || "");
  }

  function showCount() {
    const active = list.querySelectorAll('li[data-active="true"]').length;
    show("live", active + " active; watching the subscription events.");
  }

  function find(id) {
    return [...list.children].find((item) => item.dataset.id === id);
  }

  function apply(subscription) {
    let item = find(subscription.id);
    if (!item) {
      item = render(subscription);
      list.prepend(item);
    }
    setActive(item, subscription.active);
    showCount();
  }

  function stop(text) {
    if (stream) stream.close();
    stream = null;
    clearInterval(resync);
    stopButton.disabled = true;
    if (text) show("stopped", text);
  }

  // The hub's list: { response, text } or { error }.
  async function fetchList(settings) {
    const url = new URL(settings.url.href.replace(/\/$/, "") + "/subscriptions");
    if (settings.auth === "query") url.searchParams.append("authorization", settings.token);
    const headers = settings.auth === "header" ? { Authorization: "Bearer " + settings.token } : {};
    try {
      const response = await fetch(url, { headers, cache: "no-store", credentials: "same-origin" });
      return { response, text: await response.text() };
    } catch (error) {
      return { error: "The hub could not be reached: " + error.message };
    }
  }

  // Marks what left the hub's list as ended; adds what is new in it.
  async function refresh(settings) {
    const answer = await fetchList(settings);
    if (answer.error || !answer.response.ok || !stream) return;
    let listed;
    try {
      listed = JSON.parse(answer.text).subscriptions || [];
    } catch (error) {
      return;
    }
    const ids = new Set(listed.map((s) => s.id));
    [...list.children].forEach((item) => ids.has(item.dataset.id) || setActive(item, false, " (gone from the hub's list)"));
    listed.filter((s) => !find(s.id)).forEach(apply);
    showCount();
  }

  async function load() {
    stop();
    list.replaceChildren();
    const settings = hub.settings();
    if (!settings.url) {
      show("error", "The hub URL is not a URL: fix it under Hub and token.");
      return;
    }
    const cookieError = hub.applyCookie(settings);
    if (cookieError) {
      show("error", "Cannot use the cookie: " + cookieError);
      return;
    }
    show("loading", "Asking the hub for its active subscriptions…");
    const answer = await fetchList(settings);
    if (answer.error) {
      show("error", answer.error);
      return;
    }
    const { response, text } = answer;
    if (response.status === 404) {
      show("off", "The hub's subscriptions API is off (it answered 404: " + text.trim() + "). Start the hub with " +
        "hub_subscriptions = true (SPIN_VARIABLE_HUB_SUBSCRIPTIONS=true; scripts/up turns it on).");
      return;
    }
    if (!response.ok) {
      show("refused", "Refused: the hub answered " + response.status + (text.trim() ? ": " + text.trim() : ".") +
        (settings.token ? "" : " Give a subscriber token under Hub and token."));
      return;
    }
    let collection;
    try {
      collection = JSON.parse(text);
    } catch (error) {
      show("error", "The hub's answer is not JSON: " + error.message);
      return;
    }
    (collection.subscriptions || []).forEach(apply);
    show("live", (collection.subscriptions || []).length + " active; watching the subscription events.");
    const events = hub.streamUrl(settings, [EVENTS_TOPIC], collection.lastEventID || "");
    stopButton.disabled = false;
    resync = setInterval(() => refresh(settings), RESYNC_MS);
    stream = hub.openStream(
      { url: events.href, auth: settings.auth, token: settings.token, types: [] },
      {
        open() {},
        update(update) {
          try {
            apply(JSON.parse(update.data));
          } catch (error) {
            show("error", "A subscription event is not JSON: " + error.message);
          }
        },
        retrying() {
          show("loading", "The subscription events dropped; reconnecting…");
        },
        closed(reason) {
          stop("Subscription events closed: " + reason);
        },
      }
    );
  }

  loadButton.addEventListener("click", load);
  stopButton.addEventListener("click", () => stop("Stopped watching; the list is as it was."));
})();
