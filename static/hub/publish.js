// The hub page's publish form: POSTs the fields to the hub with the
// publisher token as a header, then shows the hub's answer in
// #publish-result[data-state] (published | refused | error): the update's
// id, or the status and one-line reason of a refusal, plus a word when
// this page's own subscription will not show the update.
"use strict";

(function () {
  const hub = window.spinSseHub;
  const form = document.getElementById("publish");
  const result = document.getElementById("publish-result");
  const field = (id) => document.getElementById(id);

  function show(state, text) {
    result.dataset.state = state;
    result.textContent = text;
  }

  // Why this page's subscription will not show an update with these
  // fields, or "".
  function unseenBecause(type, isPrivate) {
    const subscription = hub.subscription;
    if (!subscription) return "";
    if (type && type !== "message" && !subscription.types.includes(type) && subscription.auth !== "header") {
      return " This page is not listening to type \u201c" + type + "\u201d: add it to the update types and subscribe again to see such updates.";
    }
    if (isPrivate && !subscription.token) {
      return " It is private and this page subscribed without a token, so the page will not receive it.";
    }
    return "";
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const settings = hub.settings();
    if (!settings.url) {
      show("error", "The hub URL is not a URL: fix it under Hub and token.");
      return;
    }
    const body = new URLSearchParams();
    hub.lines(field("publish-topics").value).forEach((topic) => body.append("topic", topic));
    body.append("data", field("publish-data").value);
    const isPrivate = field("publish-private").checked;
    if (isPrivate) body.append("private", "on");
    const type = field("publish-type").value.trim();
    for (const [name, value] of [["id", field("publish-id").value.trim()], ["type", type], ["retry", field("publish-retry").value.trim()]]) {
      if (value) body.append(name, value);
    }
    const headers = {};
    const token = field("publisher-token").value.trim();
    if (token) headers.Authorization = "Bearer " + token;
    show("pending", "Publishing…");
    let response;
    let text;
    try {
      response = await fetch(settings.url, { method: "POST", body, headers, credentials: "omit" });
      text = (await response.text()).trim();
    } catch (error) {
      show("error", "The hub could not be reached: " + error.message);
      return;
    }
    if (response.ok) {
      show("published", "Published with id " + text + "." + unseenBecause(type, isPrivate));
    } else {
      const hint = response.status === 401 && !token ? " (no publisher token was given)" : "";
      show("refused", "Refused: the hub answered " + response.status + hint + (text ? ": " + text : "."));
    }
  });
})();
