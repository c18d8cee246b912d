//! The server on a real socket: a client that sends nothing is cut off at
//! the header timeout, connections past the cap wait rather than starve the
//! host, and sign-ins past their rate are refused per client address while
//! other addresses sign in, and an anonymous 500 MiB body is refused
//! without the server's memory growing.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use thuocdo_host::app::rate::Quota;
use thuocdo_host::app::{AppState, HttpLimits, serve_state};
use thuocdo_host::registry::Registry;
use thuocdo_host::runtime::Runtime;
use thuocdo_host::store::{Database, Store};

/// Serves an empty store under `limits` on 127.0.0.1; its address, a stop,
/// and what to clean up.
async fn serve(
    name: &str,
    limits: HttpLimits,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    Store,
    std::path::PathBuf,
) {
    let dir = std::env::temp_dir().join(format!("thuocdo-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(&Database::Sqlite(dir.join("thuocdo.db")))
        .await
        .unwrap();
    let registry = Arc::new(Registry::new(
        store.clone(),
        Arc::new(Runtime::new().unwrap()),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve_state(
        AppState::new(registry).with_http(limits),
        listener,
        async {
            let _ = stopped.await;
        },
    ));
    (addr, stop, store, dir)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn two_thousand_idle_connections_do_not_keep_a_new_client_waiting() {
    runtime().block_on(async {
        let header_timeout = Duration::from_secs(2);
        // The default cap (1,024): the first 1,024 hold every place, the
        // rest and the new client wait in the listen queue.
        let limits = HttpLimits {
            header_timeout,
            ..HttpLimits::default()
        };
        let (addr, stop, store, dir) = serve("idle", limits).await;
        // Connections that never send a byte.
        let mut idle = Vec::new();
        for _ in 0..2000 {
            idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
        }
        let started = Instant::now();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let answer = client
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .unwrap();
        let waited = started.elapsed();
        assert!(answer.status().is_success(), "{}", answer.status());
        assert!(
            waited <= header_timeout + Duration::from_secs(1),
            "a new client waited {waited:?} behind 2,000 idle connections"
        );
        // The idle ones were cut off: reading one ends.
        use tokio::io::AsyncReadExt;
        let mut byte = [0u8; 1];
        let first = tokio::time::timeout(Duration::from_secs(5), idle[0].read(&mut byte))
            .await
            .expect("an idle connection was left open past the header timeout");
        assert!(matches!(first, Ok(0) | Err(_)), "{first:?}");
        drop(idle);
        let _ = stop.send(());
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

/// Signs in with a made-up token from `from`: the status.
async fn sign_in(addr: SocketAddr, from: IpAddr) -> reqwest::StatusCode {
    let client = reqwest::Client::builder()
        .local_address(from)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    client
        .post(format!("http://{addr}/login"))
        .form(&[("token", "not-a-token")])
        .send()
        .await
        .unwrap()
        .status()
}

#[test]
fn a_flood_of_sign_ins_from_one_address_is_limited_while_another_signs_in() {
    runtime().block_on(async {
        let limits = HttpLimits {
            sign_ins: Quota::per_minute(5),
            ..HttpLimits::default()
        };
        let (addr, stop, store, dir) = serve("sign-in", limits).await;
        let flood: IpAddr = "127.0.0.2".parse().unwrap();
        for n in 0..5 {
            let status = sign_in(addr, flood).await;
            assert_ne!(
                status,
                reqwest::StatusCode::TOO_MANY_REQUESTS,
                "sign-in {n}"
            );
        }
        let client = reqwest::Client::builder()
            .local_address(flood)
            .build()
            .unwrap();
        let refused = client
            .post(format!("http://{addr}/login"))
            .form(&[("token", "not-a-token")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=12).contains(&wait), "Retry-After: {wait}");
        let problem: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(problem["code"], "rate-limited", "{problem}");
        // Another address is not held back by the first one's flood, and
        // reading pages is never limited.
        let other: IpAddr = "127.0.0.3".parse().unwrap();
        assert_ne!(
            sign_in(addr, other).await,
            reqwest::StatusCode::TOO_MANY_REQUESTS
        );
        let page = client
            .get(format!("http://{addr}/login"))
            .send()
            .await
            .unwrap();
        assert!(page.status().is_success(), "{}", page.status());
        let _ = stop.send(());
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

#[test]
fn behind_a_trusted_proxy_the_client_is_the_forwarded_address() {
    runtime().block_on(async {
        let proxy: IpAddr = "127.0.0.4".parse().unwrap();
        let limits = HttpLimits {
            sign_ins: Quota::per_minute(2),
            trusted_proxies: Arc::from([proxy]),
            ..HttpLimits::default()
        };
        let (addr, stop, store, dir) = serve("proxy", limits).await;
        let via_proxy = |client_ip: &'static str| {
            let client = reqwest::Client::builder()
                .local_address(proxy)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let url = format!("http://{addr}/login");
            async move {
                client
                    .post(url)
                    .header("x-forwarded-for", format!("10.9.9.9, {client_ip}"))
                    .form(&[("token", "not-a-token")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        // Two clients behind one proxy have a quota each; the made-up hop
        // a client writes to the left (10.9.9.9) does not change who it is.
        for _ in 0..2 {
            assert_ne!(
                via_proxy("192.0.2.1").await,
                reqwest::StatusCode::TOO_MANY_REQUESTS
            );
        }
        assert_eq!(
            via_proxy("192.0.2.1").await,
            reqwest::StatusCode::TOO_MANY_REQUESTS
        );
        assert_ne!(
            via_proxy("192.0.2.2").await,
            reqwest::StatusCode::TOO_MANY_REQUESTS
        );
        // Without the proxy's trust, a client's own header is ignored.
        let direct: IpAddr = "127.0.0.5".parse().unwrap();
        let spoof = reqwest::Client::builder()
            .local_address(direct)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut statuses = Vec::new();
        for n in 0..3 {
            statuses.push(
                spoof
                    .post(format!("http://{addr}/login"))
                    .header("x-forwarded-for", format!("198.51.100.{n}"))
                    .form(&[("token", "not-a-token")])
                    .send()
                    .await
                    .unwrap()
                    .status(),
            );
        }
        assert_eq!(
            statuses[2],
            reqwest::StatusCode::TOO_MANY_REQUESTS,
            "{statuses:?}"
        );
        let _ = stop.send(());
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

/// A process's resident set and its peak so far, in bytes, from /proc.
fn memory_of(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
            * 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Sends `path` a 500 MiB body without a token, as fast as the server takes
/// it, until the server answers; the status line.
async fn anonymous_flood(addr: SocketAddr, path: &str, content_type: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const TOTAL: u64 = 500 << 20;
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut from, mut to) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: {content_type}\r\ncontent-length: {TOTAL}\r\n\r\n"
    );
    let writer = tokio::spawn(async move {
        to.write_all(head.as_bytes()).await?;
        let chunk = vec![b'x'; 1 << 20];
        let mut sent = 0;
        while sent < TOTAL {
            to.write_all(&chunk).await?;
            sent += chunk.len() as u64;
        }
        Ok::<_, std::io::Error>(sent)
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(60), async {
        while !answer.windows(2).any(|w| w == b"\r\n") {
            let n = from.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
        Ok::<_, std::io::Error>(())
    })
    .await;
    writer.abort();
    read.expect("no answer within 60 s").unwrap();
    let text = String::from_utf8_lossy(&answer);
    text.lines().next().unwrap_or_default().to_string()
}

/// `thuocdo serve` on `dir` at an ephemeral port, as people run it, once it
/// answers; its process and address.
async fn spawn_serving(dir: &std::path::Path) -> (std::process::Child, SocketAddr) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let server = std::process::Command::new(env!("CARGO_BIN_EXE_thuocdo"))
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--listen", &addr.to_string()])
        .env("THUOCDO_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (server, addr)
}

#[test]
fn an_anonymous_500_mib_body_is_refused_without_the_server_growing() {
    runtime().block_on(async {
        let dir = std::env::temp_dir().join(format!("thuocdo-server-rss-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (mut server, addr) = spawn_serving(&dir).await;
        // The peak from here on, not the start's (5: reset the peak RSS).
        std::fs::write(format!("/proc/{}/clear_refs", server.id()), "5").unwrap();
        let (before, _) = memory_of(server.id());
        for (path, content_type) in [
            ("/api/v1/facts", "text/csv"),
            ("/api/v1/organisation", "application/json"),
            ("/api/v1/plugins", "application/wasm"),
            ("/api/v1/sandbox/drafts", "application/wasm"),
            ("/api/v1/runs", "application/json"),
        ] {
            let status = anonymous_flood(addr, path, content_type).await;
            assert!(status.starts_with("HTTP/1.1 401"), "{path}: {status}");
        }
        let (after, peak) = memory_of(server.id());
        let _ = server.kill();
        let _ = server.wait();
        let _ = std::fs::remove_dir_all(&dir);
        let mib = |b: u64| b as f64 / (1 << 20) as f64;
        assert!(
            peak.saturating_sub(before) < 64 << 20,
            "the server grew from {:.1} MiB to a peak of {:.1} MiB ({:.1} MiB now)",
            mib(before),
            mib(peak),
            mib(after)
        );
    });
}

#[test]
fn a_server_outlives_clients_that_hang_up_mid_answer() {
    runtime().block_on(async {
        let dir =
            std::env::temp_dir().join(format!("thuocdo-server-hangup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (mut server, addr) = spawn_serving(&dir).await;
        // A client that hangs up while a large answer is being written (as
        // 64 load-test clients stopping at once did, mid-way through 1.2 MB
        // summaries) makes the server's next write fail with EPIPE; with
        // SIGPIPE at its default disposition that ended the process. What
        // decides it is the disposition, read where the kernel keeps it:
        // bit 13 of the mask of ignored signals.
        let status = std::fs::read_to_string(format!("/proc/{}/status", server.id())).unwrap();
        let ignored = status
            .lines()
            .find_map(|l| l.strip_prefix("SigIgn:"))
            .map(|m| u64::from_str_radix(m.trim(), 16).unwrap())
            .unwrap();
        let up = server.try_wait().unwrap().is_none();
        let answers = reqwest::get(format!("http://{addr}/healthz"))
            .await
            .map(|r| r.status());
        // Stopped before the checks, so a failure leaves no server behind.
        let _ = server.kill();
        let _ = server.wait();
        assert_ne!(
            ignored & (1 << (libc::SIGPIPE - 1)),
            0,
            "the server must ignore SIGPIPE: {ignored:x}"
        );
        assert!(up, "the server is up");
        assert_eq!(answers.unwrap(), reqwest::StatusCode::OK);
        let _ = std::fs::remove_dir_all(&dir);
    });
}
