//! Outgoing mail: every message has a plain-text and an HTML part and, for list mail, the
//! `List-Unsubscribe` headers of RFC 2369 and RFC 8058; it goes through the SMTP server of
//! `[mail]` (lettre), signed with DKIM when a key is configured.

use std::time::Duration;

use byline_core::Email;
use lettre::message::dkim::{DkimConfig, DkimSigningAlgorithm, DkimSigningKey};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailConfig, MailTls};

/// The longest one SMTP exchange may take before it counts as a temporary failure.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why mail could not be set up or sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("[mail] {0}")]
    Config(String),
    #[error("the message cannot be sent: {0}")]
    Invalid(String),
    /// The server refused for good (5xx): sending again will not help.
    #[error("the mail server refused the message: {0}")]
    Permanent(String),
    /// The server is down, slow or asked to try later (4xx).
    #[error("the mail server could not take the message now: {0}")]
    Transient(String),
}

/// A message to one reader.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Where the reader can leave the list with one click (and by mail).
    pub unsubscribe: Option<Unsubscribe>,
}

#[derive(Debug, Clone)]
pub struct Unsubscribe {
    /// An https (or http) URL that unsubscribes on POST without a page or a login.
    pub url: String,
    pub mailto: String,
}

/// `List-Unsubscribe: <URL>, <mailto:…>`.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(text.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// The configured way out.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    dkim: Option<DkimConfig>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the credentials.
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Mailer, MailError> {
        if config.from.chars().any(char::is_control) {
            return Err(MailError::Config(format!(
                "from {:?}: a line break or another control character",
                config.from
            )));
        }
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| MailError::Config(format!("from {:?}: {e}", config.from)))?;
        let host = config.host.as_str();
        let bad_host =
            |e: lettre::transport::smtp::Error| MailError::Config(format!("host {host:?}: {e}"));
        let builder = match config.tls {
            MailTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(25),
            MailTls::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(bad_host)?
            }
            MailTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(bad_host)?,
        };
        // Well within the delivery lease, so that a slow exchange is never taken for a dead
        // sender's.
        let lease_half = Duration::from_secs(config.delivery_lease_seconds.max(2) / 2);
        let mut builder = builder.timeout(Some(SMTP_TIMEOUT.min(lease_half)));
        if let Some(port) = config.port {
            builder = builder.port(port);
        }
        let password = std::env::var("BYLINE_MAIL_PASSWORD")
            .ok()
            .or(config.password.clone());
        match (&config.username, password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password));
            }
            (Some(_), None) => {
                return Err(MailError::Config(
                    "username is set but no password (password or BYLINE_MAIL_PASSWORD)".into(),
                ));
            }
            _ => {}
        }
        let dkim = match &config.dkim_key {
            Some(path) => Some(dkim(path, config.dkim_selector.as_deref(), &from)?),
            None => None,
        };
        Ok(Mailer {
            transport: builder.build(),
            from,
            dkim,
        })
    }

    /// The sender's address (for `mailto:` links).
    pub fn from_address(&self) -> String {
        self.from.email.to_string()
    }

    /// The message as it goes out; refused when a header would carry a line break.
    pub fn message(&self, outgoing: &Outgoing) -> Result<Message, MailError> {
        if outgoing.subject.chars().any(char::is_control) {
            return Err(MailError::Invalid(
                "the subject holds a control character".into(),
            ));
        }
        let to: Mailbox = outgoing
            .to
            .as_str()
            .parse()
            .map_err(|e| MailError::Invalid(format!("to {}: {e}", outgoing.to.as_str())))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(outgoing.subject.clone());
        if let Some(way_out) = &outgoing.unsubscribe {
            let bad = |u: &str| {
                u.chars()
                    .any(|c| c.is_control() || c == '<' || c == '>' || c == ',')
            };
            if bad(&way_out.url) || bad(&way_out.mailto) {
                return Err(MailError::Invalid(
                    "the unsubscribe address is malformed".into(),
                ));
            }
            builder = builder
                .header(ListUnsubscribe(format!(
                    "<{}>, <{}>",
                    way_out.url, way_out.mailto
                )))
                .header(ListUnsubscribePost);
        }
        let mut message = builder
            .multipart(MultiPart::alternative_plain_html(
                outgoing.text.clone(),
                outgoing.html.clone(),
            ))
            .map_err(|e| MailError::Invalid(e.to_string()))?;
        if let Some(dkim) = &self.dkim {
            message.sign(dkim);
        }
        Ok(message)
    }

    /// Sends one message; the error says whether trying again can help.
    pub async fn send(&self, outgoing: &Outgoing) -> Result<(), MailError> {
        let message = self.message(outgoing)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailError::Permanent(e.to_string())),
            Err(e) => Err(MailError::Transient(e.to_string())),
        }
    }
}

/// The DKIM signer of `[mail] dkim_key`: RSA or Ed25519, for the sender's domain.
fn dkim(
    path: &std::path::Path,
    selector: Option<&str>,
    from: &Mailbox,
) -> Result<DkimConfig, MailError> {
    let pem = std::fs::read_to_string(path)
        .map_err(|e| MailError::Config(format!("dkim_key {}: {e}", path.display())))?;
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path)
        && std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o077 != 0
    {
        tracing::warn!(
            key = %path.display(),
            "the DKIM key can be read by other users of this machine: chmod 600 it"
        );
    }
    let key = [DkimSigningAlgorithm::Rsa, DkimSigningAlgorithm::Ed25519]
        .into_iter()
        .find_map(|algorithm| DkimSigningKey::new(pem.trim(), algorithm).ok())
        .ok_or_else(|| {
            MailError::Config(format!(
                "dkim_key {}: neither an RSA private key (PKCS#1 PEM) nor an Ed25519 key \
                 (its 32 bytes in base64)",
                path.display()
            ))
        })?;
    Ok(DkimConfig::default_config(
        selector.unwrap_or("byline").to_owned(),
        from.email.domain().to_owned(),
        key,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: impl FnOnce(&mut MailConfig)) -> MailConfig {
        let mut config = MailConfig {
            messages_per_second: 10.0,
            bounce_limit: 3,
            delivery_lease_seconds: 120,
            connections: 4,
            retry_seconds: 60,
            host: "127.0.0.1".into(),
            port: Some(2525),
            tls: MailTls::None,
            username: None,
            password: None,
            from: "Port Alder Gazette <news@byline.test>".into(),
            dkim_key: None,
            dkim_selector: None,
        };
        extra(&mut config);
        config
    }

    fn outgoing(subject: &str) -> Outgoing {
        Outgoing {
            to: Email::parse("reader@example.org").unwrap(),
            subject: subject.into(),
            text: "Hello".into(),
            html: "<p>Hello</p>".into(),
            unsubscribe: Some(Unsubscribe {
                url: "https://news.example/newsletter/unsubscribe?token=abc".into(),
                mailto: "mailto:news@byline.test?subject=unsubscribe".into(),
            }),
        }
    }

    #[tokio::test]
    async fn messages_carry_both_parts_and_the_list_headers_and_refuse_line_breaks() {
        let mailer = Mailer::new(&config(|_| {})).unwrap();
        let message = mailer.message(&outgoing("Today's news")).unwrap();
        // Long headers are folded: read them unfolded.
        let text = String::from_utf8(message.formatted())
            .unwrap()
            .replace("\r\n ", " ");
        assert!(text.contains(
            "List-Unsubscribe: <https://news.example/newsletter/unsubscribe?token=abc>, <mailto:news@byline.test?subject=unsubscribe>\r\n"
        ), "{text}");
        assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
        assert!(
            text.contains("multipart/alternative")
                && text.contains("text/plain")
                && text.contains("text/html")
        );
        for hostile in ["Hi\r\nBcc: victim@example.org", "Hi\nX: y", "Hi\u{0}"] {
            assert!(
                matches!(
                    mailer.message(&outgoing(hostile)),
                    Err(MailError::Invalid(_))
                ),
                "{hostile:?}"
            );
        }
        let mut sneaky = outgoing("Hi");
        sneaky.unsubscribe.as_mut().unwrap().url =
            "https://x.example/>, <https://evil.example/".into();
        assert!(matches!(
            mailer.message(&sneaky),
            Err(MailError::Invalid(_))
        ));
    }

    #[tokio::test]
    async fn a_dkim_key_signs_and_a_bad_setting_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("dkim.key");
        // An Ed25519 key: its 32 bytes, base64.
        std::fs::write(&key, "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n").unwrap();
        let mailer = Mailer::new(&config(|c| c.dkim_key = Some(key.clone()))).unwrap();
        let text =
            String::from_utf8(mailer.message(&outgoing("Signed")).unwrap().formatted()).unwrap();
        assert!(
            text.contains("DKIM-Signature: v=1; a=ed25519-sha256; d=byline.test; s=byline;"),
            "{text}"
        );

        std::fs::write(&key, "not a key").unwrap();
        let e = Mailer::new(&config(|c| c.dkim_key = Some(key.clone()))).unwrap_err();
        assert!(e.to_string().starts_with("[mail] dkim_key "), "{e}");
        let e = Mailer::new(&config(|c| c.from = "not an address".into())).unwrap_err();
        assert!(e.to_string().contains("from \"not an address\""), "{e}");
        let injected = "News\r\nBcc: all@example.org <news@byline.test>";
        let e = Mailer::new(&config(|c| c.from = injected.into())).unwrap_err();
        assert!(e.to_string().contains("control character"), "{e}");
        let e = Mailer::new(&config(|c| c.username = Some("news".into()))).unwrap_err();
        assert!(e.to_string().contains("no password"), "{e}");
    }
}
