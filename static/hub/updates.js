// The hub page's update list (#updates, newest first):
//   li.update[data-id][data-type]   one per update: time.time, .type,
//       details.id (summary: the short id; inside: the full id), .mark
//       for replayed or unlisted ones, pre.data (JSON pretty-printed when
//       it parses, as text otherwise; data-format="json" | "text")
//   li.note[data-kind]   subscribed | reconnect | closed: the context
// Everything from the hub reaches the DOM through textContent only.
"use strict";

(function () {
  const hub = (window.spinSseHub = window.spinSseHub || {});
  const list = document.getElementById("updates");
  const empty = document.getElementById("empty");
  const clock = window.spinSseClock;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A short form of an id: the first block of a UUID, or the start of a
  // long id; short ids as they are.
  function shortId(id) {
    const uuid = /^(?:urn:uuid:)?([0-9a-f]{8})-[0-9a-f]{4}-/i.exec(id);
    if (uuid) return uuid[1] + "…";
    return id.length > 16 ? id.slice(0, 12) + "…" : id;
  }

  // Data as shown: JSON objects and arrays indented, anything else as sent.
  function formatData(data) {
    const trimmed = data.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        return { text: JSON.stringify(JSON.parse(trimmed), null, 2), format: "json" };
      } catch (error) {
        // Not JSON: shown as text.
      }
    }
    return { text: data, format: "text" };
  }

  function prepend(item) {
    list.prepend(item);
    empty.hidden = true;
  }

  // One update; `marks` are short labels (replayed, type not listed…).
  hub.addUpdate = function (update, marks) {
    const now = new Date();
    const item = element("li", "event update");
    item.dataset.id = update.id;
    item.dataset.type = update.type;
    const meta = element("div", "meta");
    const time = element("time", "time", clock(now));
    time.dateTime = now.toISOString();
    meta.append(time, element("span", "type", update.type));
    const id = element("details", "id");
    const summary = element("summary", "", update.id ? shortId(update.id) : "(no id)");
    summary.setAttribute("aria-label", "id " + (update.id || "none") + ", show in full");
    id.append(summary, element("code", "full-id", update.id));
    meta.append(id);
    marks.forEach((mark) => {
      meta.append(element("span", "mark", mark.text));
      item.dataset[mark.key] = "true";
    });
    const shown = formatData(update.data);
    const data = element("pre", "data", shown.text);
    data.dataset.format = shown.format;
    item.append(meta, data);
    prepend(item);
  };

  // A line of context: what was subscribed to, a reconnect, the end.
  hub.addNote = function (kind, text) {
    const item = element("li", "note", text);
    item.dataset.kind = kind;
    const now = new Date();
    const time = element("time", "time", clock(now));
    time.dateTime = now.toISOString();
    item.prepend(time, " ");
    prepend(item);
  };

  hub.clearUpdates = function () {
    list.replaceChildren();
    empty.hidden = false;
  };

  hub.shortId = shortId;
  hub.formatData = formatData;
})();
