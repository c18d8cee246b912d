//! Notices by e-mail. Deciding queues a message for each person who gave
//! an address (`PUT /subjects/{id}/email`); when the host is given an SMTP
//! relay (`thuocdo serve --smtp smtp://relay:25 --mail-from …`), a sender
//! drains the queue every few seconds, tries each message again after a
//! failure (10 s, 20 s, 40 s, 80 s later) and gives up after five
//! attempts, recording each message's delivery — the notice shows it. The
//! relay is reached without TLS: a deployment's relay sits on its own
//! network.
//!
//! ```
//! use thuocdo_host::mail::MailConfig;
//! let c = MailConfig::parse("smtp://127.0.0.1:2525", "thuocdo <no-reply@thuocdo.local>").unwrap();
//! assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 2525));
//! assert!(MailConfig::parse("http://x", "a@b").is_err());
//! ```

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::store::{Store, now_millis};

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i64 = 5;
/// Messages sent in one pass.
const BATCH: i64 = 100;

/// Where mail goes, and from whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailConfig {
    /// The relay's host.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The sender: `name <address>` or an address.
    pub from: String,
}

impl MailConfig {
    /// `smtp://host[:port]` (port 25 by default) and the sender.
    pub fn parse(url: &str, from: &str) -> Result<MailConfig, String> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| format!("--smtp `{url}`: write smtp://host:port"))?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("--smtp `{url}`: `{p}` is not a port"))?,
            ),
            None => (rest, 25),
        };
        if host.is_empty() {
            return Err(format!("--smtp `{url}`: no host"));
        }
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("--mail-from `{from}`: {e}"))?;
        Ok(MailConfig {
            host: host.to_string(),
            port,
            from: from.to_string(),
        })
    }
}

/// Whether `email` is an address mail can be sent to.
pub fn check_address(email: &str) -> Result<(), String> {
    if email.len() > 254 {
        return Err("an address is at most 254 characters".into());
    }
    email
        .parse::<lettre::Address>()
        .map(drop)
        .map_err(|e| format!("`{email}` is not an e-mail address: {e}"))
}

/// Sends what is due now: how many were sent. A failure is recorded on
/// its message (tried again later, or given up); only the database's own
/// failure is an error.
pub async fn deliver_due(store: &Store, config: &MailConfig) -> Result<usize, crate::store::Error> {
    let due = store.due_mail(now_millis(), BATCH).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
        .port(config.port)
        .timeout(Some(Duration::from_secs(10)))
        .build();
    let mut sent = 0;
    for m in due {
        let message = Message::builder()
            .from(config.from.parse().expect("checked when configured"))
            .to(match m.recipient.parse() {
                Ok(to) => to,
                Err(e) => {
                    store
                        .mail_failed(m.id, &format!("the address is unusable: {e}"), None)
                        .await?;
                    continue;
                }
            })
            .subject(m.subject_line.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone());
        let outcome = match message {
            Ok(message) => mailer
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match outcome {
            Ok(()) => {
                store.mail_sent(m.id, now_millis()).await?;
                sent += 1;
            }
            Err(why) => {
                let attempts = m.attempts + 1;
                let next = (attempts < MAX_ATTEMPTS)
                    .then(|| now_millis() + 10_000 * (1 << (attempts - 1)));
                tracing::warn!(mail = m.id, notice = m.notice_id, attempts, error = %why, "a notice's mail was not sent");
                store.mail_failed(m.id, &why, next).await?;
            }
        }
    }
    Ok(sent)
}

/// Drains the queue every `every` until `stop` resolves.
pub async fn run(
    store: Store,
    config: MailConfig,
    every: Duration,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        if let Err(e) = deliver_due(&store, &config).await {
            tracing::error!(error = %e, "the mail sender could not read its queue");
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
