// spin-sse page: shows the /sse event stream as it arrives.
//
// DOM hooks (used by the end-to-end browser test):
//   #status[data-state]  connecting | open | closed | unsupported
//   #status-text         the human-readable state
//   #events > li[data-id]  one per event, in arrival order, with
//                          time.time, .id and .message inside
// Server data only ever reaches the DOM through textContent.
"use strict";

(function () {
  const STREAM_URL = "/sse";

  const status = document.getElementById("status");
  const statusText = document.getElementById("status-text");
  const list = document.getElementById("events");
  const empty = document.getElementById("empty");

  function setState(state, text) {
    status.dataset.state = state;
    statusText.textContent = text;
  }

  const clock = window.spinSseClock;

  // The event's `message` if its data is JSON like {"message": "..."},
  // otherwise the raw data, flagged so it can be styled differently.
  function parseMessage(data) {
    try {
      const parsed = JSON.parse(data);
      if (parsed !== null && typeof parsed.message === "string") {
        return { text: parsed.message, raw: false };
      }
    } catch (_) {
      // not JSON: fall through and show it as it came
    }
    return { text: data, raw: true };
  }

  function addEvent(event) {
    const now = new Date();
    const message = parseMessage(event.data);

    const item = document.createElement("li");
    item.className = "event";
    item.dataset.id = event.lastEventId;

    const time = document.createElement("time");
    time.className = "time";
    time.dateTime = now.toISOString();
    time.textContent = clock(now);

    const id = document.createElement("span");
    id.className = "id";
    id.textContent = event.lastEventId ? "#" + event.lastEventId : "no id";

    const text = document.createElement("span");
    text.className = message.raw ? "message raw" : "message";
    text.textContent = message.text;

    item.append(time, id, text);
    list.append(item);
    empty.hidden = true;
  }

  if (!("EventSource" in window)) {
    setState(
      "unsupported",
      "This browser does not support EventSource (Server-Sent Events), so the stream cannot be shown."
    );
    return;
  }

  let reconnects = 0;
  const source = new EventSource(STREAM_URL);

  source.addEventListener("open", function () {
    setState(
      "open",
      reconnects === 0 ? "Open: receiving events." : "Open again after " + reconnects + " reconnect(s)."
    );
  });

  source.addEventListener("message", addEvent);

  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) {
      // The server ended it for good (204 on reconnect, or a fatal error):
      // EventSource will not retry, and neither do we.
      setState("closed", "eventsource was closed.");
      source.close();
      return;
    }
    // CONNECTING: the stream ended or dropped and EventSource retries on
    // its own after the server's `retry` delay, sending Last-Event-ID.
    reconnects += 1;
    setState("connecting", "Stream ended or dropped; reconnecting…");
  });
})();
