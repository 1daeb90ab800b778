//! Reading loosely typed JSON the way wire formats write it: keys of any case, numbers as
//! strings, times in several ISO 8601 shapes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value};

/// The same JSON with every object key lower-cased, so that ninjs 3's `versionCreated` and
/// ninjs 2's `versioncreated` read alike.
pub(crate) fn lowercase_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.to_lowercase(), lowercase_keys(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(lowercase_keys).collect()),
        other => other,
    }
}

/// A non-empty trimmed string field.
pub(crate) fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// An integer written as a number or as a string of digits.
pub(crate) fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses the time shapes wire services send: RFC 3339, `+0000` offsets, no offset (read as
/// UTC) and plain dates (midnight UTC).
pub(crate) fn time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Entries of a ninjs collection that may be an object keyed by name (1.x) or a list of
/// objects with a `name` field (2.x and later), as `(name, object)` pairs in order.
pub(crate) fn named_entries(value: Option<&Value>) -> Vec<(String, &Map<String, Value>)> {
    match value {
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(name, v)| v.as_object().map(|o| (name.clone(), o)))
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_object)
            .map(|o| (text(o, "name").unwrap_or_default().to_lowercase(), o))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_wire_shapes() {
        let want = "2017-08-24T01:58:40Z";
        for input in [
            "2017-08-24T01:58:40Z",
            "2017-08-24T01:58:40+0000",
            "2017-08-24T03:58:40+02:00",
            "2017-08-24T01:58:40",
        ] {
            assert_eq!(
                time(input)
                    .unwrap()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                want,
                "{input}"
            );
        }
        assert_eq!(
            time("2014-02-26").unwrap().to_rfc3339(),
            "2014-02-26T00:00:00+00:00"
        );
        assert_eq!(time("yesterday"), None);
    }

    #[test]
    fn keys_are_lowercased_deeply() {
        let v = lowercase_keys(
            serde_json::json!({"versionCreated": 1, "Bodies": [{"contentType": "x"}]}),
        );
        assert_eq!(
            v,
            serde_json::json!({"versioncreated": 1, "bodies": [{"contenttype": "x"}]})
        );
    }
}
