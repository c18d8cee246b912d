//! A real headless Chromium, driven over the W3C WebDriver protocol through
//! Debian's chromedriver, for the dashboard's end-to-end tests. Screenshots
//! go to target/screenshots/ for people to look at.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Client;
use serde_json::{Value, json};

/// The key WebDriver names an element by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One browser session.
pub(crate) struct Browser {
    client: Client,
    session: String,
    driver: Child,
}

fn found(names: &[&str]) -> Option<PathBuf> {
    for name in names {
        if name.contains('/') {
            let p = PathBuf::from(name);
            if p.exists() {
                return Some(p);
            }
            continue;
        }
        for dir in std::env::var("PATH").unwrap_or_default().split(':') {
            let p = PathBuf::from(dir).join(name);
            if p.exists() {
                return Some(p);
            }
        }
    }
    None
}

/// Where screenshots go: target/screenshots beside the workspace's target.
fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            other => panic!("not base64: {other}"),
        }
    };
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c) << (18 - 6 * i);
        }
        let produced = chunk.len() * 6 / 8;
        for i in 0..produced {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session; `None` (with a
    /// line saying so) where neither is installed and CI does not require them.
    pub(crate) async fn start(test: &str) -> Option<Browser> {
        Browser::start_sized(test, None).await
    }

    /// A browser that reads as a phone does: a 390 px wide screen at three
    /// device pixels per CSS pixel, as the common phones have.
    pub(crate) async fn start_phone(test: &str) -> Option<Browser> {
        Browser::start_sized(test, Some((390, 844))).await
    }

    async fn start_sized(test: &str, phone: Option<(u32, u32)>) -> Option<Browser> {
        let chromium = found(&["chromium", "chromium-browser", "/usr/lib/chromium/chromium"]);
        let chromedriver = found(&["chromedriver", "/usr/lib/chromium/chromedriver"]);
        let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
            crate::support::unavailable(
                "chromium",
                test,
                "Chromium and chromedriver: apt-get install chromium chromium-driver",
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // Its own process group, so the browser it starts goes with it.
        let driver = Command::new(chromedriver)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let client = Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let mut ready = false;
        for _ in 0..100 {
            if let Ok(r) = client.get(format!("{base}/status")).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "chromedriver did not answer on port {port}");
        let profile =
            std::env::temp_dir().join(format!("thuocdo-chromium-{}-{port}", std::process::id()));
        let mut options = json!({
            "binary": chromium.display().to_string(),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1800", "--hide-scrollbars", "--no-first-run",
                     format!("--user-data-dir={}", profile.display())],
        });
        if let Some((width, height)) = phone {
            options["mobileEmulation"] = json!({"deviceMetrics": {
                "width": width, "height": height, "pixelRatio": 3.0, "touch": true,
            }});
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let response: Value = client
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {response}"))
            .to_string();
        Some(Browser {
            client,
            session: format!("{base}/session/{session}"),
            driver,
        })
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.session));
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response: Value = request.send().await.unwrap().json().await.unwrap();
        if let Some(error) = response["value"]["error"].as_str() {
            panic!(
                "webdriver {path}: {error}: {}",
                response["value"]["message"]
            );
        }
        response["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// Loads `url` and waits for it.
    pub(crate) async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    /// The address shown.
    pub(crate) async fn url(&self) -> String {
        self.get("/url").await.as_str().unwrap().to_string()
    }

    /// Every element `css` selects.
    pub(crate) async fn all(&self, css: &str) -> Vec<String> {
        self.post("/elements", json!({"using": "css selector", "value": css}))
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e[ELEMENT].as_str().unwrap().to_string())
            .collect()
    }

    /// Every element `css` selects inside `element`.
    pub(crate) async fn within(&self, element: &str, css: &str) -> Vec<String> {
        self.post(
            &format!("/element/{element}/elements"),
            json!({"using": "css selector", "value": css}),
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[ELEMENT].as_str().unwrap().to_string())
        .collect()
    }

    /// The one element `css` selects, if any.
    pub(crate) async fn one(&self, css: &str) -> Option<String> {
        self.all(css).await.into_iter().next()
    }

    /// Waits (up to 10 s) for `css` to select something, as after a click
    /// that navigates: the click may return before the next page is in.
    pub(crate) async fn wait_for(&self, css: &str) -> String {
        for _ in 0..200 {
            if let Some(e) = self.one(css).await {
                return e;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} never appeared on {}", self.url().await);
    }

    /// Waits (up to 10 s) for the address to contain `part`.
    pub(crate) async fn wait_url(&self, part: &str) {
        for _ in 0..200 {
            if self.url().await.contains(part) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the address never held {part}: {}", self.url().await);
    }

    /// The element's text as rendered.
    pub(crate) async fn text(&self, element: &str) -> String {
        self.get(&format!("/element/{element}/text"))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The text of the one element `css` selects; panics if there is none.
    pub(crate) async fn text_of(&self, css: &str) -> String {
        let e = self
            .one(css)
            .await
            .unwrap_or_else(|| panic!("no element {css}"));
        self.text(&e).await
    }

    /// An attribute of an element.
    pub(crate) async fn attr(&self, element: &str, name: &str) -> Option<String> {
        self.get(&format!("/element/{element}/attribute/{name}"))
            .await
            .as_str()
            .map(str::to_string)
    }

    /// Clicks an element.
    pub(crate) async fn click(&self, css: &str) {
        let e = self
            .one(css)
            .await
            .unwrap_or_else(|| panic!("no element {css} to click"));
        self.post(&format!("/element/{e}/click"), json!({})).await;
    }

    /// Clicks an element found before.
    pub(crate) async fn click_element(&self, element: &str) {
        self.post(&format!("/element/{element}/click"), json!({}))
            .await;
    }

    /// Empties an input or a text area.
    pub(crate) async fn clear(&self, css: &str) {
        let e = self
            .one(css)
            .await
            .unwrap_or_else(|| panic!("no element {css} to clear"));
        self.post(&format!("/element/{e}/clear"), json!({})).await;
    }

    /// Types into an element.
    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        let e = self
            .one(css)
            .await
            .unwrap_or_else(|| panic!("no element {css} to type into"));
        self.post(&format!("/element/{e}/value"), json!({ "text": text }))
            .await;
    }

    /// The language the page declares.
    pub(crate) async fn lang(&self) -> String {
        let html = self.one("html").await.unwrap();
        self.attr(&html, "lang").await.unwrap_or_default()
    }

    /// What `script` (a function body) returns, run in the page.
    pub(crate) async fn execute(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    /// What the console logged at error level since the last call.
    pub(crate) async fn console_errors(&self) -> Vec<String> {
        self.post("/se/log", json!({"type": "browser"}))
            .await
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["level"] == "SEVERE" || e["level"] == "ERROR")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Loads `url`, asserts the console stayed clean, and saves a screenshot.
    pub(crate) async fn visit_clean(&self, url: &str, shot: &str) {
        self.goto(url).await;
        let errors = self.console_errors().await;
        assert!(errors.is_empty(), "{url}: console errors: {errors:?}");
        self.screenshot(shot).await;
    }

    /// Saves what the window shows as target/screenshots/NAME.png.
    pub(crate) async fn screenshot(&self, name: &str) {
        let png = base64_decode(self.get("/screenshot").await.as_str().unwrap());
        assert_eq!(&png[1..4], b"PNG", "a screenshot is a PNG");
        std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
    }

    /// Ends the session and the driver.
    pub(crate) async fn quit(mut self) {
        let _ = self.client.delete(self.session.clone()).send().await;
        self.kill();
        let _ = self.driver.wait();
    }

    fn kill(&mut self) {
        // SAFETY: signals the process group this test started, nothing else.
        unsafe {
            libc::kill(-(self.driver.id() as i32), libc::SIGKILL);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // After a failed assertion: never leave a driver or browser running.
        self.kill();
    }
}

#[test]
fn base64_decodes_as_the_screenshots_need() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("aGVsbG8hIQ=="), b"hello!!");
    assert_eq!(base64_decode("YWJj"), b"abc");
}
