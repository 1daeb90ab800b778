//! The `[mail]` and `[newsletter]` tables: the SMTP server, sign-up limits and the daily digest.

use std::path::PathBuf;

use chrono::NaiveTime;
use serde::{Deserialize, Deserializer};

/// `[mail]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub host: String,
    /// Default: 587 for `starttls`, 465 for `tls`, 25 for `none`.
    pub port: Option<u16>,
    /// `"none"`, `"starttls"` (default) or `"tls"`.
    #[serde(default)]
    pub tls: MailTls,
    pub username: Option<String>,
    /// Or `BYLINE_MAIL_PASSWORD` in the environment.
    pub password: Option<String>,
    /// The sender, as `Name <address>` or an address.
    pub from: String,
    /// A file with the key to sign with DKIM (relative to the config file): an RSA private key
    /// in PKCS#1 PEM, or an Ed25519 key as its 32 bytes in base64.
    pub dkim_key: Option<PathBuf>,
    /// The DKIM selector (the DNS record is `SELECTOR._domainkey.DOMAIN`). Default: `byline`.
    pub dkim_selector: Option<String>,
    /// The most newsletter messages sent per second (the provider's limit). Default: 10.
    #[serde(default = "default_rate")]
    pub messages_per_second: f64,
    /// Permanent refusals in a row after which an address is marked bouncing. Default: 3.
    #[serde(default = "default_bounce_limit")]
    pub bounce_limit: u32,
    /// Seconds a sender may hold a delivery; one still held after that belonged to a sender
    /// that stopped mid-send and is recorded as of unknown outcome, never resent. One SMTP
    /// exchange may take at most half of it (and at most 30 s). Default: 120.
    #[serde(default = "default_lease")]
    pub delivery_lease_seconds: u64,
    /// Messages in flight at once (SMTP connections), within `messages_per_second`. A sender
    /// killed mid-send leaves at most this many deliveries of unknown outcome. Default: 4.
    #[serde(default = "default_connections")]
    pub connections: u32,
    /// Seconds before a delivery the server deferred (4xx, or down) is tried again; then 4×,
    /// 9×, … as long, 8 tries in all. Default: 60.
    #[serde(default = "default_retry_seconds")]
    pub retry_seconds: u64,
}

fn default_retry_seconds() -> u64 {
    60
}

fn default_connections() -> u32 {
    4
}

fn default_lease() -> u64 {
    120
}

fn default_rate() -> f64 {
    10.0
}

fn default_bounce_limit() -> u32 {
    3
}

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTls {
    /// Plain text: only for a relay on the same machine or network.
    None,
    #[default]
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsletterConfig {
    /// Sign-ups accepted from one IP address per hour. Default: 10.
    #[serde(default = "default_signups_per_hour")]
    pub signups_per_ip_per_hour: u32,
    /// Confirmation mails sent per hour by the whole site, so that sign-ups from many addresses
    /// cannot turn the site into a mail cannon; sign-ups beyond it are kept, unmailed, and a
    /// later sign-up of the same address asks again. Default: 500.
    #[serde(default = "default_confirmations_per_hour")]
    pub confirmations_per_hour: u32,
    /// `[newsletter.digest]`: a daily issue made of the day's stories. Default: none.
    pub digest: Option<DigestConfig>,
}

impl Default for NewsletterConfig {
    fn default() -> NewsletterConfig {
        NewsletterConfig {
            signups_per_ip_per_hour: default_signups_per_hour(),
            confirmations_per_hour: default_confirmations_per_hour(),
            digest: None,
        }
    }
}

fn default_confirmations_per_hour() -> u32 {
    500
}

fn default_signups_per_hour() -> u32 {
    10
}

/// `[newsletter.digest]`: every day at `time_utc`, an issue of the stories published in the 24
/// hours before, from `sections` (all when empty); no issue on a day without stories.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestConfig {
    /// The time of day it goes out, in UTC, as `HH:MM`.
    #[serde(deserialize_with = "time_of_day")]
    pub time_utc: NaiveTime,
    /// Section slugs whose stories it carries. Default: every section.
    #[serde(default, deserialize_with = "section_slugs")]
    pub sections: Vec<byline_core::Slug>,
    /// Its subject; `{date}` becomes the day, as in "28 November 2026". Default:
    /// "The day's stories, {date}".
    #[serde(default = "default_digest_subject")]
    pub subject: String,
    /// A few words above the stories. Default: none.
    #[serde(default)]
    pub intro: String,
    /// The most stories in one digest (the newest). Default: 12.
    #[serde(default = "default_digest_stories")]
    pub max_stories: u32,
}

fn default_digest_subject() -> String {
    "The day's stories, {date}".into()
}

fn default_digest_stories() -> u32 {
    12
}

fn section_slugs<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<byline_core::Slug>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|text| {
            byline_core::Slug::parse(text).map_err(|e| {
                serde::de::Error::custom(format!("sections: {text:?} is not a section slug: {e}"))
            })
        })
        .collect()
}

fn time_of_day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveTime, D::Error> {
    let text = String::deserialize(deserializer)?;
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
        serde::de::Error::custom(format!(
            "time_utc must be a time of day as HH:MM, such as \"06:30\", not {text:?}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn a_digest_time_is_checked_when_the_config_is_read() {
        let config =
            Config::parse("[newsletter.digest]\ntime_utc = '06:30'\nsections = ['news']\n")
                .unwrap();
        let digest = config.newsletter.digest.unwrap();
        assert_eq!(digest.time_utc.to_string(), "06:30:00");
        assert_eq!(digest.sections[0].to_string(), "news");
        assert_eq!(digest.max_stories, 12);
        let (line, _, message) =
            Config::parse("[newsletter.digest]\n\ntime_utc = '25:00'\n").unwrap_err();
        assert_eq!(line, 3);
        assert!(message.contains("HH:MM"), "{message}");
        let (line, _, message) =
            Config::parse("[newsletter.digest]\ntime_utc = '06:00'\nsections = ['News Desk']\n")
                .unwrap_err();
        assert_eq!(line, 3);
        assert!(
            message.contains("\"News Desk\" is not a section slug"),
            "{message}"
        );
    }
}
