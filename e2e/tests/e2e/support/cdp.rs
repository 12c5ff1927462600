//! Headless Chromium driven over the DevTools protocol on a pipe.
//!
//! Chromium is started with `--remote-debugging-pipe`: it reads protocol
//! messages (JSON, each ended by a NUL byte) on fd 3 and writes them on
//! fd 4. A `sh -c 'exec … 3<&0 4>&1'` wrapper maps our stdin/stdout pipes
//! there, so no WebSocket and no extra crate is needed. The browser runs
//! with a fresh profile and every background network feature off (the
//! machine has no internet), and is closed on drop.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long one protocol call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Where Chromium is looked for: `$CHROMIUM`, then Debian's path, then `$PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.exists() {
        return Some(debian);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("chromium"))
            .find(|p| p.exists())
    })
}

/// Launches Chromium for `test`, or says why not: `None` means skip.
/// Without Chromium, fails when `CI` is set and skips (printed) otherwise.
pub fn browser_or_skip(test: &str, width: u32, height: u32) -> Option<Browser> {
    let Some(chromium) = find_chromium() else {
        let reason = "chromium not found (install Debian's `chromium`, or set CHROMIUM=/path)";
        if std::env::var_os("CI").is_some() {
            panic!("{test}: {reason}; CI must run the browser tests");
        }
        super::skip(test, reason);
        return None;
    };
    Some(Browser::launch(&chromium, width, height).unwrap_or_else(|e| panic!("{test}: {e}")))
}

/// A headless browser with one page attached.
pub struct Browser {
    child: Child,
    to_browser: ChildStdin,
    from_browser: Receiver<Value>,
    next_id: u64,
    session: String,
    /// Protocol events received so far (e.g. `Runtime.exceptionThrown`).
    pub events: Vec<Value>,
    profile: PathBuf,
}

impl Browser {
    /// Launches `chromium` headless with a `width`×`height` page.
    pub fn launch(chromium: &PathBuf, width: u32, height: u32) -> Result<Browser, String> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let profile = std::env::temp_dir().join(format!(
            "spin-sse-e2e-chromium-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(profile.join("chromium.log")).map_err(|e| e.to_string())?;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>&2"#)
            .arg(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--mute-audio",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--window-size={width},{height}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromium.display()))?;
        let to_browser = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, from_browser) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut msg = Vec::new();
                match reader.read_until(0, &mut msg) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        msg.pop_if(|b| *b == 0);
                        if let Ok(v) = serde_json::from_slice::<Value>(&msg) {
                            if tx.send(v).is_err() {
                                break;
                            }
                        }
                    }
                }
            }
        });
        let mut browser = Browser {
            child,
            to_browser,
            from_browser,
            next_id: 0,
            session: String::new(),
            events: Vec::new(),
            profile,
        };
        let target = browser.call_browser("Target.createTarget", json!({"url": "about:blank"}))?;
        let target_id = target["targetId"]
            .as_str()
            .ok_or("no targetId")?
            .to_string();
        let attached = browser.call_browser(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        )?;
        browser.session = attached["sessionId"]
            .as_str()
            .ok_or("no sessionId")?
            .to_string();
        browser.call("Runtime.enable", json!({}))?;
        browser.call("Page.enable", json!({}))?;
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        )?;
        Ok(browser)
    }

    fn send(
        &mut self,
        method: &str,
        params: Value,
        session: Option<String>,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = Value::String(s);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to_browser
            .write_all(&bytes)
            .map_err(|e| format!("{method}: writing to chromium: {e}"))?;
        let deadline = Instant::now() + CALL_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let reply = match self.from_browser.recv_timeout(left) {
                Ok(v) => v,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("{method}: no reply in {CALL_TIMEOUT:?}"))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(format!("{method}: chromium exited"))
                }
            };
            if reply.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(err) = reply.get("error") {
                    return Err(format!("{method}: {err}"));
                }
                return Ok(reply.get("result").cloned().unwrap_or(Value::Null));
            }
            if reply.get("method").is_some() {
                self.events.push(reply);
            }
        }
    }

    fn call_browser(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.send(method, params, None)
    }

    /// A protocol call on the page's session.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let session = self.session.clone();
        self.send(method, params, Some(session))
    }

    /// Navigates and waits until the new document has loaded.
    pub fn navigate(&mut self, url: &str) -> Result<(), String> {
        let r = self.call("Page.navigate", json!({"url": url}))?;
        if let Some(e) = r.get("errorText").and_then(Value::as_str) {
            return Err(format!("navigating to {url}: {e}"));
        }
        let loaded = format!(
            "location.href === {} && document.readyState === 'complete'",
            serde_json::to_string(url).unwrap()
        );
        self.wait_until(
            &loaded,
            CALL_TIMEOUT,
            "[location.href, document.readyState]",
        )
    }

    /// Evaluates `expr` in the page and returns its JSON value.
    pub fn eval(&mut self, expr: &str) -> Result<Value, String> {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(ex) = r.get("exceptionDetails") {
            return Err(format!("evaluating {expr:?}: {ex}"));
        }
        Ok(r["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// Polls `expr` until it is `true`; on timeout returns the last value of `describe`.
    pub fn wait_until(
        &mut self,
        expr: &str,
        timeout: Duration,
        describe: &str,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.eval(expr)? == Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let seen = self.eval(describe)?;
                return Err(format!(
                    "waited {timeout:?} for `{expr}`; page shows {seen}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `source` in every document before its own scripts.
    pub fn before_each_document(&mut self, source: &str) -> Result<(), String> {
        self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": source}),
        )
        .map(drop)
    }

    /// Emulates `prefers-color-scheme: <scheme>` (`light` or `dark`).
    pub fn color_scheme(&mut self, scheme: &str) -> Result<(), String> {
        self.call(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        )
        .map(drop)
    }

    /// A PNG screenshot of the viewport.
    pub fn screenshot_png(&mut self) -> Result<Vec<u8>, String> {
        use base64::Engine as _;
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}))?;
        let data = r["data"].as_str().ok_or("no screenshot data")?;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| format!("screenshot is not base64: {e}"))
    }

    /// Uncaught exceptions the page threw so far.
    pub fn exceptions(&self) -> Vec<&Value> {
        self.events
            .iter()
            .filter(|e| e["method"] == "Runtime.exceptionThrown")
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.call_browser("Browser.close", json!({}));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                let _ = std::fs::remove_dir_all(&self.profile);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
