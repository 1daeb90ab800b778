//! Subscribers as CSV (RFC 4180), for `byline subscribers export`: one row per address with its
//! status and consent record. Fields a spreadsheet would run as a formula are defused.

use std::io::Write;

use byline_core::store::Subscriber;

use crate::csv::field;
use chrono::{DateTime, Utc};

/// The statuses a subscriber can have.
pub const STATUSES: [&str; 4] = ["active", "pending", "unsubscribed", "bounced"];

const HEADER: &str = "email,status,source,consented_at,confirmed_at,unsubscribed_at,bounces";

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Writes the header and one line per subscriber, with CRLF line ends.
pub fn write_csv(out: &mut impl Write, subscribers: &[Subscriber]) -> std::io::Result<()> {
    write!(out, "{HEADER}\r\n")?;
    for s in subscribers {
        let row = [
            field(s.email.as_str()),
            field(&s.status),
            field(&s.source),
            time(Some(s.consented_at)),
            time(s.confirmed_at),
            time(s.unsubscribed_at),
            s.bounces.to_string(),
        ];
        write!(out, "{}\r\n", row.join(","))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use byline_core::Email;

    #[test]
    fn rows_are_quoted_and_defused() {
        let at = DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let subscriber = Subscriber {
            email: Email::parse("=cmd@example.org").unwrap(),
            status: "active".into(),
            source: "/story/a,\"b\"".into(),
            consented_at: at,
            confirmed_at: Some(at),
            unsubscribed_at: None,
            bounces: 1,
        };
        let mut out = Vec::new();
        write_csv(&mut out, &[subscriber]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "email,status,source,consented_at,confirmed_at,unsubscribed_at,bounces\r\n\
             '=cmd@example.org,active,\"/story/a,\"\"b\"\"\",2026-11-28T10:00:00Z,2026-11-28T10:00:00Z,,1\r\n"
        );
    }
}
