//! A thin harness over `tauri-driver` + fantoccini: start the driver on free ports, open the
//! app binary with isolated XDG directories, find elements by test id, save screenshots, and
//! shut the driver down with SIGTERM (SIGKILL would orphan WebKitWebDriver and hang the run).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// How long a screenshot waits for the page to render two frames.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long capturing the screen may take.
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long closing the window may take before the driver is stopped anyway.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(15);

/// How to find an element.
#[derive(Debug, Clone, Copy)]
pub enum Locator<'a> {
    /// `[data-testid="…"]`.
    TestId(&'a str),
    /// Any CSS selector.
    Css(&'a str),
}

impl Locator<'_> {
    fn css(&self) -> String {
        match self {
            Locator::TestId(id) => format!("[data-testid=\"{id}\"]"),
            Locator::Css(css) => (*css).to_owned(),
        }
    }
}

/// One running app window under WebDriver control.
pub struct AppSession {
    client: Client,
    driver: Child,
    dirs: std::sync::Arc<tempfile::TempDir>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl AppSession {
    /// Starts tauri-driver and opens the app with `args`.
    pub async fn launch(args: &[&str]) -> Self {
        Self::launch_in(std::sync::Arc::new(tempfile::tempdir().unwrap()), args).await
    }

    /// Opens the app with the XDG config/state directories of an earlier session (a restart).
    pub async fn launch_in(dirs: std::sync::Arc<tempfile::TempDir>, args: &[&str]) -> Self {
        let port = free_port();
        let native_port = free_port();
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("XDG_STATE_HOME", dirs.path().join("state"))
        .env("XDG_CONFIG_HOME", dirs.path().join("config"))
        .env("XDG_CACHE_HOME", dirs.path().join("cache"))
        .env(
            "XDG_DATA_HOME",
            std::env::var_os("XDG_DATA_HOME").unwrap_or_else(|| dirs.path().join("data").into()),
        )
        .env("PLEXICHAT_DISABLE_SINGLE_INSTANCE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        let driver = cmd
            .spawn()
            .expect("tauri-driver on PATH (scripts/setup.sh installs it)");

        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        let app = env!("CARGO_BIN_EXE_plexichat-desktop");
        let caps = json!({
            "browserName": "wry",
            "tauri:options": { "application": app, "args": args },
        });
        let caps = caps.as_object().unwrap().clone();
        let mut last_err = None;
        for _ in 0..3 {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => {
                    return Self {
                        client,
                        driver,
                        dirs,
                    }
                }
                Err(e) => {
                    last_err = Some(e);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        panic!("could not open a WebDriver session: {last_err:?}");
    }

    /// This session's XDG directories, to start the app again "after a restart".
    pub fn dirs(&self) -> std::sync::Arc<tempfile::TempDir> {
        self.dirs.clone()
    }

    /// Waits until the element exists and returns it.
    pub async fn wait_for(&self, locator: Locator<'_>, timeout: Duration) -> Element {
        let css = locator.css();
        match self
            .client
            .wait()
            .at_most(timeout)
            .for_element(fantoccini::Locator::Css(&css))
            .await
        {
            Ok(el) => el,
            Err(e) => {
                self.screenshot(&format!("FAILED-waiting-for-{}", sanitize(&css)))
                    .await;
                let body = self.page_text().await;
                panic!("element {css} did not appear within {timeout:?}: {e}\npage text:\n{body}");
            }
        }
    }

    /// Clicks the element.
    pub async fn click(&self, locator: Locator<'_>) {
        let el = self.wait_for(locator, Duration::from_secs(10)).await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {}: {e}", locator.css()));
    }

    /// Types into the element.
    #[allow(dead_code)]
    pub async fn type_into(&self, locator: Locator<'_>, text: &str) {
        let el = self.wait_for(locator, Duration::from_secs(10)).await;
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {}: {e}", locator.css()));
    }

    /// Clears a text field and types `text` into it.
    pub async fn replace_text(&self, locator: Locator<'_>, text: &str) {
        let el = self.wait_for(locator, Duration::from_secs(10)).await;
        el.clear()
            .await
            .unwrap_or_else(|e| panic!("clear {}: {e}", locator.css()));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {}: {e}", locator.css()));
    }

    /// Types `text` into the composer and presses Enter.
    pub async fn send_message(&self, text: &str) {
        let el = self
            .wait_for(Locator::TestId("composer"), Duration::from_secs(10))
            .await;
        el.send_keys(text).await.expect("type into the composer");
        el.send_keys("\u{E007}").await.expect("press Enter");
    }

    /// Sends `text` and waits until the server's copy shows as a message.
    pub async fn send_and_see(&self, text: &str) {
        self.send_message(text).await;
        self.wait_for_text(
            Locator::TestId("message-content"),
            text,
            Duration::from_secs(20),
        )
        .await;
    }

    /// Waits until `script` (a JS expression) is truthy.
    pub async fn wait_until(&self, what: &str, script: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let body = format!("return Boolean({script});");
        loop {
            if let Ok(v) = self.client.execute(&body, vec![]).await {
                if v.as_bool() == Some(true) {
                    return;
                }
            }
            if Instant::now() > deadline {
                self.screenshot(&format!("FAILED-{}", sanitize(what))).await;
                panic!(
                    "{what} did not happen within {timeout:?}\npage text:\n{}",
                    self.page_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until the element's text contains `needle`.
    pub async fn wait_for_text(&self, locator: Locator<'_>, needle: &str, timeout: Duration) {
        let css = serde_json::to_string(&locator.css()).unwrap();
        let needle_js = serde_json::to_string(needle).unwrap();
        let script = format!(
            "[...document.querySelectorAll({css})].some(e => e.textContent.includes({needle_js}))"
        );
        self.wait_until(
            &format!("{} shows {needle:?}", locator.css()),
            &script,
            timeout,
        )
        .await;
    }

    /// The element's `textContent` (WebKit's visible-text algorithm drops some styled text).
    pub async fn text_of(&self, locator: Locator<'_>) -> String {
        self.wait_for(locator, Duration::from_secs(10)).await;
        let script =
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';";
        match self
            .client
            .execute(script, vec![json!(locator.css())])
            .await
        {
            Ok(v) => v.as_str().unwrap_or_default().to_owned(),
            Err(e) => panic!("reading {}: {e}", locator.css()),
        }
    }

    /// The whole page's visible text, for failure messages.
    pub async fn page_text(&self) -> String {
        match self.client.find(fantoccini::Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Saves a PNG of the screen (the window sits at its top-left corner: Xvfb, no window
    /// manager) as `target/screenshots/<name>.png`.
    ///
    /// Captured from the X server, not through WebDriver: with WebKit's compositing off (the
    /// app's default) the driver's capture can wait forever, and a command that never returns
    /// blocks every later one of the session.
    pub async fn screenshot(&self, name: &str) {
        // Let two frames render first, so the capture shows the state just reached.
        let settle = "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        if tokio::time::timeout(SETTLE_TIMEOUT, self.client.execute_async(settle, vec![]))
            .await
            .is_err()
        {
            eprintln!("screenshot {name}: no frame within {SETTLE_TIMEOUT:?}; taking it anyway");
        }
        let path = screenshot_dir().join(format!("{name}.png"));
        let capture = tokio::task::spawn_blocking({
            let path = path.clone();
            move || {
                Command::new("import")
                    .args(["-silent", "-window", "root"])
                    .arg(&path)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .output()
            }
        });
        match tokio::time::timeout(SCREENSHOT_TIMEOUT, capture).await {
            Ok(Ok(Ok(out))) if out.status.success() => {
                eprintln!("screenshot: {}", path.display());
            }
            Ok(Ok(Ok(out))) => eprintln!(
                "screenshot {name} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Ok(Ok(Err(e))) => eprintln!("screenshot {name}: cannot run ImageMagick's import: {e}"),
            Ok(Err(e)) => eprintln!("screenshot {name}: {e}"),
            Err(_) => eprintln!("screenshot {name} timed out"),
        }
    }

    /// Runs an axe-core audit of the page as it is now and panics listing every violation of
    /// serious or critical impact; the whole report is kept as `target/axe/<name>.json`.
    ///
    /// axe-core comes from the UI's npm packages (`ui/node_modules/axe-core`), injected through
    /// WebDriver, so nothing of it ships in the app. `label-content-name-mismatch` is switched
    /// on although axe marks it experimental: a button whose visible text is not part of its
    /// accessible name cannot be reached by voice control.
    pub async fn axe_audit(&self, name: &str) {
        let violations = self.axe_violations(name).await;
        let serious: Vec<&serde_json::Value> = violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        if !serious.is_empty() {
            self.screenshot(&format!("FAILED-axe-{}", sanitize(name)))
                .await;
            let report: Vec<String> = serious.iter().map(|v| describe_violation(v)).collect();
            panic!(
                "axe-core: {} serious or critical violation(s) on {name}:\n{}",
                serious.len(),
                report.join("\n")
            );
        }
    }

    /// Like [`Self::axe_audit`], but fails only on serious or critical violations inside the
    /// elements matching `scope` (the parts one piece of work adds); those elsewhere on the
    /// screen are printed, not failed.
    pub async fn axe_audit_within(&self, name: &str, scope: &str) {
        let violations = self.axe_violations(name).await;
        let mut inside_scope = Vec::new();
        for v in violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        {
            for node in v["nodes"].as_array().into_iter().flatten() {
                let target = node["target"][0].as_str().unwrap_or_default();
                let script = format!(
                    "return Boolean(document.querySelector({})?.closest({}));",
                    serde_json::to_string(target).unwrap(),
                    serde_json::to_string(scope).unwrap()
                );
                let inside = self.execute(&script).await.as_bool() == Some(true);
                let line = format!("{} ({}): {target}", v["id"], v["impact"]);
                if inside {
                    inside_scope.push(line);
                } else {
                    eprintln!("axe on {name}, outside the audited parts: {line}");
                }
            }
        }
        assert!(
            inside_scope.is_empty(),
            "axe-core violations on {name}:\n{}",
            inside_scope.join("\n")
        );
    }

    /// Runs `script` (a function body; `return` gives the value) in the page; `null` on error.
    pub async fn execute(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or(serde_json::Value::Null)
    }

    /// Every axe-core violation on the page (any impact), also written to `target/axe/`.
    pub async fn axe_violations(&self, name: &str) -> Vec<serde_json::Value> {
        let source_path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&source_path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({}: {e}); run scripts/setup.sh",
                source_path.display()
            )
        });
        let inject = format!("if (!window.axe) {{ {source}\n }} return Boolean(window.axe);");
        match self.client.execute(&inject, vec![]).await {
            Ok(v) if v.as_bool() == Some(true) => {}
            other => panic!("axe-core could not be injected: {other:?}"),
        }
        let run = r#"
            const done = arguments[arguments.length - 1];
            window.axe
              .run(document, {
                resultTypes: ["violations"],
                rules: { "label-content-name-mismatch": { enabled: true } },
              })
              .then((r) => done(JSON.stringify(r.violations)), (e) => done("ERROR " + e));
        "#;
        let answer = match tokio::time::timeout(
            Duration::from_secs(60),
            self.client.execute_async(run, vec![]),
        )
        .await
        {
            Ok(Ok(v)) => v.as_str().unwrap_or_default().to_owned(),
            Ok(Err(e)) => panic!("axe-core run failed: {e}"),
            Err(_) => panic!("axe-core run took over 60 s"),
        };
        let violations: Vec<serde_json::Value> = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("axe-core answered {answer:?}: {e}"));
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/axe");
        std::fs::create_dir_all(&dir).unwrap();
        let pretty = serde_json::to_string_pretty(&violations).unwrap_or_default();
        let _ = std::fs::write(dir.join(format!("{}.json", sanitize(name))), pretty);
        violations
    }

    /// Closes the window and stops the driver.
    pub async fn close(mut self) {
        // Bounded: a driver stuck on an earlier command must not hang the whole suite.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, self.client.clone().close()).await;
        stop_driver(&mut self.driver);
    }
}

impl Drop for AppSession {
    fn drop(&mut self) {
        stop_driver(&mut self.driver);
    }
}

fn stop_driver(driver: &mut Child) {
    if let Ok(Some(_)) = driver.try_wait() {
        return;
    }
    // SIGTERM lets tauri-driver stop WebKitWebDriver too.
    let _ = Command::new("kill")
        .args(["-TERM", &driver.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = driver.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One line per violation and one indented line per offending element (at most five).
fn describe_violation(v: &serde_json::Value) -> String {
    let mut out = format!(
        "- {} ({}): {}",
        v["id"].as_str().unwrap_or("?"),
        v["impact"].as_str().unwrap_or("?"),
        v["help"].as_str().unwrap_or("")
    );
    for node in v["nodes"].as_array().into_iter().flatten().take(5) {
        let target = node["target"].to_string();
        let summary = node["failureSummary"]
            .as_str()
            .unwrap_or("")
            .replace('\n', " ");
        out.push_str(&format!("\n    {target}: {summary}"));
    }
    out
}
