// The hub page's event streams: window.spinSseHub.openStream(options, on)
// opens a subscription and returns { close() }.
//
// options: { url (hub URL with its query), auth ("header" | "cookie" |
//   "query" | "" for none), token, types (listened type names) }
// on: { open(), update({ id, type, data }, listened), retrying(reason),
//   closed(reason) }; `listened` is false for a typed update whose type is
//   not listed (only the header transport can see those).
//
// Without the header, the browser's own EventSource reads the stream, as an
// app would. EventSource cannot send headers, so with the header a small
// reader over fetch() parses the stream (the SSE rules of the HTML
// standard: fields, ids, retry, reconnect with Last-Event-ID). When a
// stream is refused, its answer's status and one-line reason are fetched
// and handed to `closed`.
"use strict";

(function () {
  const hub = (window.spinSseHub = window.spinSseHub || {});
  const DEFAULT_RETRY_MS = 3000;

  // The status and text of the hub's answer to `url` (for a refusal that
  // EventSource does not show).
  async function refusalReason(url, init) {
    const controller = new AbortController();
    try {
      const response = await fetch(url, Object.assign({ signal: controller.signal, cache: "no-store" }, init));
      if (response.ok) {
        controller.abort();
        return "the stream closed (the hub answered " + response.status + " when asked again).";
      }
      const text = (await response.text()).trim();
      return "the hub answered " + response.status + (text ? ": " + text : ".");
    } catch (error) {
      return "the hub could not be reached (" + error.message + ").";
    }
  }

  function withEventSource(options, on) {
    const credentials = new URL(options.url, location.href).origin !== location.origin;
    const source = new EventSource(options.url, { withCredentials: credentials && options.auth === "cookie" });
    let closedByUs = false;
    const deliver = (event) => on.update({ id: event.lastEventId, type: event.type, data: event.data }, true);
    source.addEventListener("message", deliver);
    options.types.forEach((type) => source.addEventListener(type, deliver));
    source.addEventListener("open", () => on.open());
    source.addEventListener("error", () => {
      if (source.readyState !== EventSource.CLOSED) {
        on.retrying("the stream dropped; EventSource reconnects.");
        return;
      }
      const init = { credentials: credentials ? "include" : "same-origin" };
      refusalReason(options.url, init).then((reason) => closedByUs || on.closed(reason));
    });
    return {
      close() {
        closedByUs = true;
        source.close();
      },
    };
  }

  // One stream's events from text chunks: the HTML standard's parser.
  function eventParser(dispatch, setRetry) {
    let pending = "";
    let data = [];
    let type = "";
    let lastId = "";
    function line(text) {
      if (text === "") {
        if (data.length > 0) {
          dispatch({ id: lastId, type: type || "message", data: data.join("\n") });
        }
        data = [];
        type = "";
        return;
      }
      if (text.startsWith(":")) {
        return;
      }
      const colon = text.indexOf(":");
      const field = colon < 0 ? text : text.slice(0, colon);
      let value = colon < 0 ? "" : text.slice(colon + 1);
      if (value.startsWith(" ")) {
        value = value.slice(1);
      }
      if (field === "data") {
        data.push(value);
      } else if (field === "event") {
        type = value;
      } else if (field === "id" && !value.includes("\0")) {
        lastId = value;
      } else if (field === "retry" && /^\d+$/.test(value)) {
        setRetry(Number(value));
      }
    }
    return {
      push(chunk) {
        let text = pending + chunk;
        // A CR at the end may be the first half of a CRLF: keep it back.
        const held = text.endsWith("\r") ? "\r" : "";
        text = held ? text.slice(0, -1) : text;
        const lines = text.split(/\r\n|\r|\n/);
        pending = lines.pop() + held;
        lines.forEach(line);
      },
      lastId: () => lastId,
      setLastId: (id) => (lastId = id),
    };
  }

  function withFetch(options, on) {
    let retry = DEFAULT_RETRY_MS;
    let closed = false;
    let controller = null;
    let timer = null;
    const parser = eventParser(
      (event) => on.update(event, event.type === "message" || options.types.includes(event.type)),
      (ms) => (retry = ms)
    );

    function again(reason) {
      if (closed) return;
      on.retrying(reason);
      timer = setTimeout(connect, retry);
    }

    async function connect() {
      controller = new AbortController();
      const headers = { Accept: "text/event-stream", Authorization: "Bearer " + options.token };
      if (parser.lastId()) {
        headers["Last-Event-ID"] = parser.lastId();
      }
      let response;
      try {
        response = await fetch(options.url, { headers, signal: controller.signal, cache: "no-store" });
      } catch (error) {
        return again("the hub could not be reached; reconnecting.");
      }
      if (response.status === 204) {
        closed = true;
        return on.closed("the hub answered 204: it has nothing more to send.");
      }
      if (!response.ok) {
        closed = true;
        const text = (await response.text().catch(() => "")).trim();
        return on.closed("the hub answered " + response.status + (text ? ": " + text : "."));
      }
      on.open();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      } catch (error) {
        // Aborted by close(), or the connection broke: handled below.
      }
      again("the stream dropped; reconnecting with the last id.");
    }

    connect();
    return {
      close() {
        closed = true;
        clearTimeout(timer);
        if (controller) controller.abort();
      },
    };
  }

  hub.openStream = function (options, on) {
    return options.auth === "header" && options.token ? withFetch(options, on) : withEventSource(options, on);
  };
  hub.eventParser = eventParser;
})();
