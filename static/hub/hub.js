// The hub page's settings and subscription.
//
// DOM hooks (used by the end-to-end browser tests):
//   #status[data-state]   idle | connecting | open | closed | unsupported
//   #request              the subscription's request line (token masked)
//   #updates              see updates.js
// Opening the page with ?topic=…&topic=…[&type=…][&lastEventID=…]
// subscribes at once. window.spinSseHub.settings() and .subscription
// (types and auth of the open subscription) serve the other panels.
"use strict";

(function () {
  const hub = window.spinSseHub;
  const COOKIE = "mercureAuthorization";
  // Updates arriving this soon after a resumed (re)connect are the hub's
  // catch-up from its history: the hub sends the history first, at once.
  const REPLAY_WINDOW_MS = 300;

  const hubUrlInput = document.getElementById("hub-url");
  const tokenInput = document.getElementById("token");
  const settingsForm = document.getElementById("settings");
  const form = document.getElementById("subscribe");
  const topicsInput = document.getElementById("topics");
  const typesInput = document.getElementById("types");
  const lastIdInput = document.getElementById("last-event-id");
  const unsubscribeButton = document.getElementById("unsubscribe");
  const status = document.getElementById("status");
  const statusText = document.getElementById("status-text");
  const request = document.getElementById("request");

  hubUrlInput.value = location.origin + "/.well-known/mercure";

  function words(text) {
    return text.split(/\s+/).filter(Boolean);
  }
  hub.lines = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);

  // The hub URL, token and how to send it, as the fields say now.
  hub.settings = function () {
    let url;
    try {
      url = new URL(hubUrlInput.value.trim(), location.href);
    } catch (error) {
      url = null;
    }
    const token = tokenInput.value.trim();
    const auth = token ? settingsForm.elements.auth.value : "";
    return { url, token, auth };
  };

  // Sets (or clears) the mercureAuthorization cookie for the hub's path;
  // an error message when it cannot be set.
  hub.applyCookie = function (settings) {
    if (!settings.url || settings.url.origin !== location.origin) {
      return settings.auth === "cookie" ? "the page can set a cookie only for a hub on its own origin." : "";
    }
    const path = "; Path=" + settings.url.pathname + "; SameSite=Strict";
    if (settings.auth !== "cookie") {
      document.cookie = COOKIE + "=" + path + "; Max-Age=0";
      return "";
    }
    if (!/^[\w.~+/=-]+$/.test(settings.token)) {
      return "the token has characters a cookie cannot carry.";
    }
    document.cookie = COOKIE + "=" + settings.token + path;
    return "";
  };

  // The hub URL with these query parameters (and the token when it goes
  // in the query).
  hub.streamUrl = function (settings, topics, lastEventId) {
    const url = new URL(settings.url);
    topics.forEach((topic) => url.searchParams.append("topic", topic));
    if (lastEventId) url.searchParams.append("lastEventID", lastEventId);
    if (settings.auth === "query") url.searchParams.append("authorization", settings.token);
    return url;
  };

  // How a request goes out, for the page to show (the token masked).
  hub.describeRequest = function (method, url, settings) {
    const shown = new URL(url);
    if (shown.searchParams.has("authorization")) shown.searchParams.set("authorization", "…");
    const via = { header: " with Authorization: Bearer …", cookie: " with the cookie " + COOKIE, query: "" };
    return method + " " + decodeURIComponent(shown.href) + (via[settings.auth] || "");
  };

  function setState(state, text) {
    status.dataset.state = state;
    statusText.textContent = text;
  }

  let stream = null;
  hub.subscription = null;

  function stop() {
    if (stream) stream.close();
    stream = null;
    hub.subscription = null;
    unsubscribeButton.disabled = true;
  }

  function subscribe(topics, types, lastEventId) {
    stop();
    const settings = hub.settings();
    if (!settings.url) {
      setState("closed", "The hub URL is not a URL: fix it under Hub and token.");
      return;
    }
    if (settings.auth !== "header" && !("EventSource" in window)) {
      setState("unsupported", "This browser does not support EventSource: send the token as a header, which reads the stream with fetch.");
      return;
    }
    const cookieError = hub.applyCookie(settings);
    if (cookieError) {
      setState("closed", "Cannot use the cookie: " + cookieError);
      return;
    }
    const url = hub.streamUrl(settings, topics, lastEventId);
    request.textContent = hub.describeRequest("GET", url, settings);
    const listening = ["message"].concat(types).join(", ");
    hub.addNote(
      "subscribed",
      "Subscribed to " + topics.join(", ") + " · listening to " + listening +
        (lastEventId ? " · from " + lastEventId : "") + " · token: " + (settings.auth ? "as " + settings.auth : "none")
    );
    let lastSeen = "";
    let reconnecting = false;
    let resumedAt = lastEventId ? Infinity : -Infinity;
    setState("connecting", "Connecting to " + settings.url.href + "…");
    hub.subscription = { types, auth: settings.auth, token: settings.token };
    unsubscribeButton.disabled = false;
    stream = hub.openStream(
      { url: url.href, auth: settings.auth, token: settings.token, types },
      {
        open() {
          if (reconnecting) {
            hub.addNote("reconnect", lastSeen ? "Reconnected; the hub resumes after " + lastSeen + "." : "Reconnected.");
          }
          if (reconnecting || resumedAt === Infinity) resumedAt = performance.now();
          reconnecting = false;
          setState("open", "Open: " + topics.join(" ") + ".");
        },
        update(update, listened) {
          lastSeen = update.id || lastSeen;
          const marks = [];
          if (performance.now() - resumedAt < REPLAY_WINDOW_MS) marks.push({ key: "replayed", text: "replayed" });
          if (!listened) {
            marks.push({ key: "unlisted", text: "type not listed: an EventSource listening as above would miss it" });
          }
          hub.addUpdate(update, marks);
        },
        retrying(reason) {
          reconnecting = true;
          setState("connecting", "Stream dropped: " + reason);
        },
        closed(reason) {
          setState("closed", "Closed: " + reason);
          hub.addNote("closed", "Closed: " + reason);
          stream = null;
          unsubscribeButton.disabled = true;
        },
      }
    );
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const topics = hub.lines(topicsInput.value);
    if (topics.length > 0) subscribe(topics, words(typesInput.value), lastIdInput.value.trim());
  });

  unsubscribeButton.addEventListener("click", () => {
    stop();
    setState("idle", "Unsubscribed.");
  });

  document.getElementById("clear-updates").addEventListener("click", () => hub.clearUpdates());

  if (!("EventSource" in window)) {
    setState("unsupported", "This browser does not support EventSource: send the token as a header, which reads the stream with fetch.");
  }

  const query = new URLSearchParams(location.search);
  const fromUrl = query.getAll("topic");
  if (fromUrl.length > 0) {
    topicsInput.value = fromUrl.join("\n");
    typesInput.value = query.getAll("type").join(" ");
    lastIdInput.value = query.get("lastEventID") || "";
    subscribe(fromUrl, query.getAll("type"), lastIdInput.value);
  }
})();
