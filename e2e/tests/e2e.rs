//! spin-sse end-to-end tests: one test binary, real HTTP, real processes.
//!
//! The app is built once per run (release runner, then `spin-sse-runner
//! build`) and served by the embedded runner on an ephemeral loopback port;
//! with `SPIN_SSE_BASE_URL=http://host:port` the tests talk to that server
//! (e.g. `spin up`) instead, and tests that need the runner itself are
//! skipped with a printed reason.
//!
//! The modules live in `tests/e2e/` (hence the inline `mod e2e`); test
//! modules reach the fixture as `super::support`.

/// Table of contents.
mod e2e {
    /// Shared fixture: build once, start/stop runners, temp apps, raw HTTP
    /// client, timestamped SSE reader, headless Chromium over WebDriver,
    /// the hub page's forms and readers.
    mod support;

    /// The SSE component over HTTP: headers, events and ids, timing,
    /// retry, heartbeat, resume, 204, HEAD, 405, bad-input 400s.
    mod sse;

    /// The built SSE and file-server components import only standard WASI
    /// and export their `wasi:http` handler (0.2 or 0.3).
    mod components;

    /// SSE with a runner of its own: `environment` settings; a client that
    /// leaves mid-stream (runner metrics + the component's log line).
    mod sse_runner;

    /// The static file server over HTTP on the repo's `static/`: index,
    /// content types, nosniff, ETag/Last-Modified and 304s, Range 206/416,
    /// precompressed sidecars.
    mod fileserver;

    /// The file server in a temp app: sub-route mounts, percent-decoding,
    /// `/dir` → 301, custom 404, fallback, hidden files, big files.
    mod fileserver_mounts;

    /// The hostile-path battery, raw over TCP: nothing outside the mount
    /// leaks, no 5xx, no panic.
    mod fileserver_paths;

    /// The page in headless Chromium: four messages in order, closed state,
    /// landmarks, unsupported-browser notice, markup shown as text;
    /// screenshots to target/e2e/.
    mod browser;

    /// The event hub over HTTP (shared hub on a private Redis, or
    /// `SPIN_SSE_BASE_URL`): publish/subscribe, ids, fields, selectors,
    /// bad input, reconnection, heartbeats, CORS, 405, health, 1,000
    /// updates across a reconnect.
    mod hub;

    /// The hub's authorization: publisher tokens, cookie + origin, private
    /// updates, subscriber tokens, expiry.
    mod hub_auth;

    /// JWKS keys from a loopback server: RS256/ES256 by kid, the Redis
    /// cache, rotation, a server down, a host the runner refuses.
    mod hub_jwks;

    /// Token tricks: algorithm confusion on an RS256 hub, `alg` variants,
    /// hostile `kid`s, 1 MiB tokens, slow claim selectors, `exp`/`nbf`
    /// boundaries, cookie publishing from outside `publish_origins`, a
    /// token that may read one topic's subscriptions.
    mod hub_token_tricks;

    /// The hub with runners and Redis of its own: two runners on one
    /// Redis, Redis restarted mid-stream, the anonymous switch.
    mod hub_cluster;

    /// The hub's subscriptions API and subscription events: routes,
    /// authorization, the list by topic, events across two runners, a
    /// killed runner's subscribers expiring.
    mod hub_subscriptions;

    /// The hub's WASI 0.3 build (one Redis read per instance): two runners
    /// with many subscribers each, exactly once and in order; a subscriber
    /// that stops reading ends alone; a Redis restart loses nothing.
    mod hub_p3;

    /// The hub page subscribing in headless Chromium: an update published
    /// meanwhile (id, type, time, JSON, markup as text), listed and
    /// unlisted types, `earliest` and a given id, reconnect and replay
    /// marks, no HTML sinks.
    mod hub_browser;

    /// The hub page's token: a private update only on the page with a
    /// matching token, by header, cookie or query; a refusal's reason.
    mod hub_page_auth;

    /// The hub page's publish form: every field, the hub's answer, a
    /// refused publish's reason.
    mod hub_page_publish;

    /// The hub page's active subscriptions (listed, live, the API off)
    /// and discovery (the demo resource's `Link` header).
    mod hub_page_panels;

    /// The hub page for people: labels, keyboard, 360 and 1280 px,
    /// contrast, screenshots.
    mod hub_page_layout;

    /// The embedded runner's own rules: routing precedence, `spin-*`
    /// headers, manifest errors (written by the runner's author).
    mod runner_rules;

    /// Spin application variables through the runner: defaults, env and
    /// `.env` overrides, required/unknown variables, secrets, templates in
    /// `allowed_outbound_hosts`.
    mod runner_variables;

    /// Outbound Redis through the runner against a private redis-server:
    /// every call, refused addresses, limits, blocking commands, no leaks.
    mod runner_redis;

    /// The runner under faults and hostile clients: looping, allocating and
    /// chatty guests; vanishing, stalled, slow and oversized clients; file
    /// descriptors running out; SIGTERM with 10,000 open streams.
    mod runner_faults;

    /// WASI 0.3 components on shared instances: many streams per instance
    /// in `/metrics`, a leaving client ends only its request, a trap, the
    /// memory limit or the CPU budget end only their instance's requests,
    /// idle instances dropped, SIGTERM ends shared streams cleanly.
    mod runner_reuse;
}
