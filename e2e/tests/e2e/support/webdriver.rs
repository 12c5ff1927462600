//! Headless Chromium over WebDriver: Debian's `chromedriver` (package
//! `chromium-driver`) driven by the `fantoccini` crate, behind a blocking
//! [`Browser`] for the synchronous tests.
//!
//! Each [`Browser`] starts its own `chromedriver --port=0` (under the
//! watchdog, so it never outlives the test binary) and one session:
//! Chromium headless with a fresh profile and every background network
//! feature off (the machine has no internet). The viewport is set exactly
//! with Chromium's device-metrics override (a headless window is at least
//! 500 px wide). What WebDriver has no command for (a script run before
//! every document, the emulated colour scheme) goes through chromedriver's
//! own `goog/cdp/execute` endpoint. Uncaught page errors are recorded by a
//! script installed before every document and read by [`Browser::exceptions`].

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use sse_testkit::watchdog::{self, Watched};

/// The Chromium flags that work on a closed network (no background
/// requests, no sandbox as root, no GPU).
const CHROMIUM_FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
];

/// Records uncaught errors and rejections in `window.__pageErrors`.
const ERROR_RECORDER: &str = "window.__pageErrors = [];
window.addEventListener('error', (e) => window.__pageErrors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => window.__pageErrors.push('unhandled rejection: ' + String(e.reason)));";

/// A program looked for as `$VAR`, then Debian's path, then on `$PATH`.
fn find(var: &str, name: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p));
    }
    let debian = PathBuf::from("/usr/bin").join(name);
    if debian.exists() {
        return Some(debian);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.exists())
    })
}

/// Launches Chromium for `test` with a `width`×`height` viewport, or says
/// why not: `None` means skip. Without Chromium or chromedriver, fails
/// when `CI` is set and skips (printed) otherwise.
pub fn browser_or_skip(test: &str, width: u32, height: u32) -> Option<Browser> {
    let found = (
        find("CHROMIUM", "chromium"),
        find("CHROMEDRIVER", "chromedriver"),
    );
    let (Some(chromium), Some(driver)) = found else {
        let reason = "chromium or chromedriver not found (run `scripts/setup --browser`, which installs \
                      Debian's chromium and chromium-driver, or set CHROMIUM=/path and CHROMEDRIVER=/path)";
        if std::env::var_os("CI").is_some() {
            panic!("{test}: {reason}; CI must run the browser tests");
        }
        super::skip(test, reason);
        return None;
    };
    Some(
        Browser::launch(&chromium, &driver, width, height)
            .unwrap_or_else(|e| panic!("{test}: {e}")),
    )
}

/// chromedriver's vendor command: one DevTools-protocol call.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A headless Chromium session with one window.
pub struct Browser {
    runtime: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Watched,
    profile: PathBuf,
    width: u32,
    height: u32,
}

impl Browser {
    /// Starts chromedriver and a Chromium session with a `width`×`height`
    /// viewport.
    pub fn launch(
        chromium: &PathBuf,
        driver: &PathBuf,
        width: u32,
        height: u32,
    ) -> Result<Browser, String> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let profile = std::env::temp_dir().join(format!(
            "spin-sse-e2e-chromium-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
        let (process, port) = start_driver(driver)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("an object literal")
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = runtime
            .block_on(
                ClientBuilder::new(connector)
                    .capabilities(capabilities)
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .map_err(|e| format!("chromedriver could not start Chromium: {e}"))?;
        let mut browser = Browser {
            runtime,
            client: Some(client),
            driver: process,
            profile,
            width,
            height,
        };
        browser.resize(width, height)?;
        browser.before_each_document(ERROR_RECORDER)?;
        Ok(browser)
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    /// One DevTools-protocol call through chromedriver.
    fn cdp(&mut self, cmd: &'static str, params: Value) -> Result<Value, String> {
        let client = self.client().clone();
        self.runtime
            .block_on(client.issue_cmd(Cdp { cmd, params }))
            .map_err(|e| format!("{cmd}: {e}"))
    }

    /// Sets the viewport to exactly `width`×`height` CSS pixels.
    pub fn resize(&mut self, width: u32, height: u32) -> Result<(), String> {
        self.width = width;
        self.height = height;
        let params =
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false });
        self.cdp("Emulation.setDeviceMetricsOverride", params)
            .map(drop)
    }

    /// Loads `url` and waits for its `load` event.
    pub fn navigate(&mut self, url: &str) -> Result<(), String> {
        let client = self.client().clone();
        self.runtime
            .block_on(client.goto(url))
            .map_err(|e| format!("navigate to {url}: {e}"))
    }

    /// The value of a JavaScript expression (a promise is awaited).
    pub fn eval(&mut self, expr: &str) -> Result<Value, String> {
        let client = self.client().clone();
        let script = format!("return ({expr});");
        self.runtime
            .block_on(client.execute(&script, Vec::new()))
            .map_err(|e| format!("eval {expr}: {e}"))
    }

    /// Polls `condition` (a JavaScript expression) until it is true; on
    /// timeout, fails with `describe` (an expression) evaluated.
    pub fn wait_until(
        &mut self,
        condition: &str,
        timeout: Duration,
        describe: &str,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.eval(condition)? == Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let state = self.eval(describe).unwrap_or_else(Value::String);
                return Err(format!(
                    "timed out after {timeout:?} waiting for {condition}; page: {state}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `source` at the start of every document loaded from now on.
    pub fn before_each_document(&mut self, source: &str) -> Result<(), String> {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .map(drop)
    }

    /// Emulates `prefers-color-scheme: scheme` (`light` or `dark`).
    pub fn color_scheme(&mut self, scheme: &str) -> Result<(), String> {
        let features = json!([{ "name": "prefers-color-scheme", "value": scheme }]);
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": features }),
        )
        .map(drop)
    }

    /// Clicks the element `css` selects, as a user would (scrolled into view).
    pub fn click(&mut self, css: &str) -> Result<(), String> {
        let client = self.client().clone();
        self.runtime
            .block_on(async { client.find(Locator::Css(css)).await?.click().await })
            .map_err(|e| format!("click {css}: {e}"))
    }

    /// Clears the field `css` selects and types `text` into it.
    pub fn type_into(&mut self, css: &str, text: &str) -> Result<(), String> {
        let client = self.client().clone();
        self.runtime
            .block_on(async {
                let field = client.find(Locator::Css(css)).await?;
                field.clear().await?;
                if text.is_empty() {
                    return Ok(());
                }
                field.send_keys(text).await
            })
            .map_err(|e| format!("type into {css}: {e}"))
    }

    /// Sends `keys` (WebDriver key codes, e.g. `"\u{E004}"` for Tab) to
    /// the focused element.
    pub fn press(&mut self, keys: &str) -> Result<(), String> {
        let client = self.client().clone();
        self.runtime
            .block_on(async { client.active_element().await?.send_keys(keys).await })
            .map_err(|e| format!("press {keys:?}: {e}"))
    }

    /// A PNG of the viewport.
    pub fn screenshot_png(&mut self) -> Result<Vec<u8>, String> {
        let client = self.client().clone();
        self.runtime
            .block_on(client.screenshot())
            .map_err(|e| format!("screenshot: {e}"))
    }

    /// A PNG of the whole page at the viewport's width (the viewport is
    /// made as tall as the page, at most `max_height`, then restored).
    pub fn full_page_png(&mut self, max_height: u32) -> Result<Vec<u8>, String> {
        let (width, height) = (self.width, self.height);
        let page = self.eval("document.documentElement.scrollHeight")?;
        let page = page.as_u64().unwrap_or(u64::from(height)) as u32;
        self.resize(width, page.clamp(height, max_height))?;
        let png = self.screenshot_png();
        self.resize(width, height)?;
        png
    }

    /// Uncaught errors and promise rejections the page has had.
    pub fn exceptions(&mut self) -> Vec<String> {
        let errors = self.eval("window.__pageErrors || []").unwrap_or_default();
        serde_json::from_value(errors).unwrap_or_default()
    }
}

/// The port chromedriver announces on stdout (`… on port N.`).
/// Starts `chromedriver --port=0` and reads the port it serves on. A
/// chromedriver that has not announced it within 20 s (seen once in CI on
/// a busy machine) is stopped and started again, three times at most.
fn start_driver(driver: &PathBuf) -> Result<(Watched, u16), String> {
    let mut last = String::new();
    for _ in 0..3 {
        let mut cmd = watchdog::command(driver);
        cmd.arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut process =
            Watched::spawn(cmd, None).map_err(|e| format!("{}: {e}", driver.display()))?;
        match announced_port(&mut process) {
            Ok(port) => return Ok((process, port)),
            Err(e) => {
                process.stop();
                last = e;
            }
        }
    }
    Err(format!("{last}, three times"))
}

fn announced_port(process: &mut Watched) -> Result<u16, String> {
    let stdout = process
        .child_mut()
        .stdout
        .take()
        .ok_or("chromedriver's stdout is not piped")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                let _ = tx.send(rest.trim_end_matches('.').parse::<u16>().ok());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(20))
        .ok()
        .flatten()
        .ok_or_else(|| "chromedriver did not announce its port within 20 s".to_owned())
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), client.close()).await
            });
        }
        self.driver.stop();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
