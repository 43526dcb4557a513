//! Headless Chromium through chromedriver's WebDriver API, for checks that need a real page:
//! the release bundle must start, and screenshots must show what users see.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::setup::Tools;

/// A running chromedriver; stopped when dropped.
pub struct Driver {
    child: Child,
    base: String,
    chromium: String,
    args: Vec<Value>,
}

impl Driver {
    pub fn start(tools: &Tools) -> Result<Driver, String> {
        let port = free_port()?;
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start chromedriver: {e}"))?;
        // The same Chromium flags the browser tests use (webdriver.json).
        let caps: Value = std::fs::read_to_string(tools.root.join("webdriver.json"))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .ok_or("webdriver.json is missing or not JSON")?;
        let args = caps["goog:chromeOptions"]["args"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            chromium: tools.chromium.to_string_lossy().into_owned(),
            args,
        };
        wait_until(Duration::from_secs(15), "chromedriver to answer", || {
            Ok(ureq::get(&format!("{}/status", driver.base))
                .call()
                .ok()
                .and_then(|r| r.into_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true))
        })?;
        Ok(driver)
    }

    pub fn session(&self, width: u32, height: u32) -> Result<Session<'_>, String> {
        let mut args = self.args.clone();
        args.push(json!(format!("--window-size={width},{height}")));
        let mut options = json!({ "binary": self.chromium, "args": args });
        // Chromium's windows are no narrower than about 500 pixels: a phone's width is
        // emulated instead, as its device toolbar does.
        if width < 500 {
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "touch": true, "mobile": true }
            });
        }
        let body = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": options,
                "goog:loggingPrefs": { "browser": "ALL" }
            }}
        });
        let value = post(&format!("{}/session", self.base), &body)?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| format!("chromedriver gave no session: {value}"))?
            .to_owned();
        Ok(Session {
            url: format!("{}/session/{id}", self.base),
            _driver: self,
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser window; closed when dropped.
pub struct Session<'a> {
    url: String,
    _driver: &'a Driver,
}

impl Session<'_> {
    pub fn navigate(&self, url: &str) -> Result<(), String> {
        post(&format!("{}/url", self.url), &json!({ "url": url })).map(|_| ())
    }

    pub fn execute(&self, script: &str) -> Result<Value, String> {
        post(
            &format!("{}/execute/sync", self.url),
            &json!({ "script": script, "args": [] }),
        )
    }

    /// Runs an asynchronous script: it gets a callback as its last argument and passes its
    /// result to it.
    pub fn execute_async(&self, script: &str, timeout_ms: u64) -> Result<Value, String> {
        post(
            &format!("{}/timeouts", self.url),
            &json!({ "script": timeout_ms }),
        )?;
        post(
            &format!("{}/execute/async", self.url),
            &json!({ "script": script, "args": [] }),
        )
    }

    /// Clicks the first button, menu entry or checkbox whose text (or aria-label) starts
    /// with `text`, waiting up to five seconds for it to appear, then lets the page render.
    pub fn click_text(&self, text: &str) -> Result<(), String> {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             const want = {text};
             const find = () => [...document.querySelectorAll('button, summary, [role=menuitem], input[type=checkbox], input[type=radio]')]
               .find(e => (e.textContent.trim() || e.getAttribute('aria-label') || '').startsWith(want));
             const started = performance.now();
             (function look() {{
               const el = find();
               if (el) {{ el.click(); setTimeout(() => requestAnimationFrame(() => done(true)), 100); }}
               else if (performance.now() - started > 5000) done(false);
               else setTimeout(look, 50);
             }})();",
            text = serde_json::Value::from(text)
        );
        match self.execute_async(&script, 10_000)? {
            Value::Bool(true) => Ok(()),
            _ => Err(format!("nothing to click reads {text:?}")),
        }
    }

    /// Waits until the app has mounted (its heading is on the page) and returns the heading.
    /// An uncaught error in the page (a module that fails to instantiate, a panic) fails at
    /// once; any failure carries what the page shows and what the browser logged.
    pub fn wait_for_app(&self) -> Result<String, String> {
        let script =
            "const h = document.querySelector('.bs-app h1'); return h ? h.textContent : null;";
        let mut heading = String::new();
        let mut log = Vec::new();
        let waited = wait_until(Duration::from_secs(30), "the app to mount", || {
            // Reading the log empties it, so keep every line for the report.
            log.extend(self.browser_log());
            if let Some(error) = log
                .iter()
                .find(|l| l.contains("SEVERE") && l.contains("Uncaught"))
            {
                return Err(format!("the page failed: {error}"));
            }
            if let Some(text) = self.execute(script)?.as_str() {
                heading = text.to_owned();
                return Ok(true);
            }
            Ok(false)
        });
        match waited {
            Ok(()) => Ok(heading),
            Err(e) => {
                let body = self
                    .execute("return document.body ? document.body.innerText.slice(0, 400) : '';")
                    .unwrap_or_default();
                Err(format!(
                    "{e}\npage shows: {body}\nbrowser log:\n{}",
                    log.join("\n")
                ))
            }
        }
    }

    /// The browser console lines logged since the last call.
    pub fn browser_log(&self) -> Vec<String> {
        post(
            &format!("{}/se/log", self.url),
            &json!({ "type": "browser" }),
        )
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|entry| format!("  {} {}", entry["level"], entry["message"]))
        .collect()
    }

    pub fn screenshot(&self, file: &Path) -> Result<(), String> {
        let value = get(&format!("{}/screenshot", self.url))?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().unwrap_or_default())
            .map_err(|e| format!("screenshot is not base64: {e}"))?;
        std::fs::write(file, png).map_err(|e| format!("cannot write {}: {e}", file.display()))
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.url).call();
    }
}

/// WebDriver wraps every answer in `{"value": ...}`; errors carry a message there too.
fn unwrap_value(result: Result<ureq::Response, ureq::Error>) -> Result<Value, String> {
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(code, r)) => {
            let body: Value = r.into_json().unwrap_or_default();
            return Err(format!(
                "WebDriver error {code}: {}",
                body["value"]["message"].as_str().unwrap_or("(no message)")
            ));
        }
        Err(e) => return Err(format!("WebDriver request failed: {e}")),
    };
    let body: Value = response
        .into_json()
        .map_err(|e| format!("WebDriver answer is not JSON: {e}"))?;
    Ok(body["value"].clone())
}

fn post(url: &str, body: &Value) -> Result<Value, String> {
    unwrap_value(ureq::post(url).send_json(body.clone()))
}

fn get(url: &str) -> Result<Value, String> {
    unwrap_value(ureq::get(url).call())
}

pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Polls `condition` every 100 ms until it holds or `limit` passes.
pub fn wait_until(
    limit: Duration,
    what: &str,
    mut condition: impl FnMut() -> Result<bool, String>,
) -> Result<(), String> {
    let started = Instant::now();
    loop {
        if condition()? {
            return Ok(());
        }
        if started.elapsed() > limit {
            return Err(format!(
                "timed out after {}s waiting for {what}",
                limit.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
