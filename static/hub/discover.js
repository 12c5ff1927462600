// The hub page's discovery: fetches a resource and reads its Link header
// for rel="mercure" (the hub) and rel="self" (the topic); a found hub
// becomes the hub URL, the topic the subscribe and publish topics.
// DOM hooks: #discover-result[data-state] (found | none | error),
// #discover-body (the resource as text).
"use strict";

(function () {
  const hub = window.spinSseHub;
  const form = document.getElementById("discover");
  const urlInput = document.getElementById("discover-url");
  const result = document.getElementById("discover-result");
  const body = document.getElementById("discover-body");

  urlInput.value = location.origin + "/demo/books/1.json";

  function show(state, text) {
    result.dataset.state = state;
    result.textContent = text;
  }

  // The links of a Link header value: [{ target, rels }] (RFC 8288; the
  // targets as written, relative ones included).
  function parseLinks(header) {
    const links = [];
    const pattern = /<([^>]*)>((?:\s*;\s*[^;,=]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g;
    let match;
    while ((match = pattern.exec(header)) !== null) {
      const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(match[2]);
      const rels = rel ? (rel[1] || rel[2]).toLowerCase().split(/\s+/) : [];
      links.push({ target: match[1], rels });
    }
    return links;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    body.hidden = true;
    let resource;
    try {
      resource = new URL(urlInput.value.trim(), location.href);
    } catch (error) {
      show("error", "Not a URL: " + urlInput.value);
      return;
    }
    let response;
    let text;
    try {
      response = await fetch(resource, { cache: "no-store" });
      text = await response.text();
    } catch (error) {
      show("error", "The resource could not be fetched: " + error.message);
      return;
    }
    body.textContent = text;
    body.hidden = text === "";
    const links = parseLinks(response.headers.get("Link") || "");
    const hubs = links.filter((l) => l.rels.includes("mercure")).map((l) => new URL(l.target, resource).href);
    const self = links.find((l) => l.rels.includes("self"));
    const topic = self ? new URL(self.target, resource).href : resource.href;
    if (hubs.length === 0) {
      show("none", "No hub found: the answer (" + response.status + ") has no Link header with rel=\"mercure\".");
      return;
    }
    document.getElementById("hub-url").value = hubs[0];
    document.getElementById("topics").value = topic;
    document.getElementById("publish-topics").value = topic;
    show("found", "Hub: " + hubs.join(", ") + " · topic: " + topic +
      ". Set as the hub URL and the subscribe and publish topics.");
  });

  hub.parseLinks = parseLinks;
})();
