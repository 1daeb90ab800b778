//! The items inside a ninjs file: one item, an array of them, or an agency API's answer that
//! wraps them (`data.item`, `data.items[].item`, `item[]`, as Superdesk and agency APIs
//! deliver them).

use serde_json::{Map, Value};

use super::{NinjsError, kind};

/// Fields only a ninjs item has (compared lower-cased): an object with one of them is an
/// item, never an envelope.
const ITEM_FIELDS: [&str; 12] = [
    "uri",
    "guid",
    "headline",
    "headlines",
    "headline_main",
    "bodies",
    "body_html",
    "body_text",
    "body_xhtml",
    "versioncreated",
    "firstcreated",
    "pubstatus",
];

/// Keys under which APIs put the items they answer with, in the order they are looked for.
const ENVELOPE_KEYS: [&str; 5] = ["data", "items", "item", "results", "result"];

/// How deep envelopes may nest (`data.items[].item` is three).
const MAX_DEPTH: usize = 4;

/// The items a file's JSON holds, in order. An array's members that are not envelopes stay
/// items of their own (and fail as such when they are not ninjs); an object that is neither
/// an item nor an envelope is refused with its keys named.
pub(crate) fn items_of(value: Value) -> Result<Vec<Value>, NinjsError> {
    match value {
        Value::Array(members) => Ok(members.into_iter().flat_map(member).collect()),
        Value::Object(object) if is_item(&object) => Ok(vec![Value::Object(object)]),
        Value::Object(object) => unwrap(object, 0).map_err(|object| {
            NinjsError::NotNinjs(format!(
                "the object has no ninjs field (uri, guid, headline, headlines, bodies, …) \
                 and no envelope ({}) holding items; its keys are {}",
                ENVELOPE_KEYS.join(", "),
                keys(&object)
            ))
        }),
        other => Err(NinjsError::NotNinjs(format!(
            "the file holds a JSON {}, not an object or array",
            kind(&other)
        ))),
    }
}

/// An array member: the items of an envelope, else the member itself.
fn member(value: Value) -> Vec<Value> {
    member_at(value, 0)
}

fn member_at(value: Value, depth: usize) -> Vec<Value> {
    match value {
        Value::Object(object) if !is_item(&object) => {
            unwrap(object, depth).unwrap_or_else(|object| vec![Value::Object(object)])
        }
        other => vec![other],
    }
}

/// The items inside an envelope, taken out of it (nothing is copied); the object itself back
/// when it holds none of the envelope keys.
fn unwrap(mut object: Map<String, Value>, depth: usize) -> Result<Vec<Value>, Map<String, Value>> {
    if depth >= MAX_DEPTH {
        return Err(object);
    }
    let key = ENVELOPE_KEYS.iter().find_map(|key| {
        object
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case(key) && (v.is_object() || v.is_array()))
            .map(|(k, _)| k.clone())
    });
    let Some(key) = key else {
        return Err(object);
    };
    match object.remove(&key) {
        Some(Value::Object(inner)) if is_item(&inner) => Ok(vec![Value::Object(inner)]),
        Some(Value::Object(inner)) => unwrap(inner, depth + 1).map_err(|inner| {
            object.insert(key, Value::Object(inner));
            object
        }),
        Some(Value::Array(members)) => Ok(members
            .into_iter()
            .flat_map(|m| member_at(m, depth + 1))
            .collect()),
        Some(other) => {
            object.insert(key, other);
            Err(object)
        }
        None => Err(object),
    }
}

fn is_item(object: &Map<String, Value>) -> bool {
    object
        .keys()
        .any(|k| ITEM_FIELDS.iter().any(|f| k.eq_ignore_ascii_case(f)))
}

/// The object's keys for a message, at most ten.
fn keys(object: &Map<String, Value>) -> String {
    if object.is_empty() {
        return "none (an empty object)".into();
    }
    let mut named: Vec<&str> = object.keys().map(String::as_str).take(10).collect();
    if object.len() > 10 {
        named.push("…");
    }
    named.join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::items_of;

    fn uris(value: serde_json::Value) -> Vec<String> {
        items_of(value)
            .unwrap()
            .iter()
            .map(|item| item["uri"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn every_envelope_agencies_use_is_opened() {
        let item = |n: u32| json!({"uri": format!("urn:test:{n}"), "headline": "H"});
        assert_eq!(uris(json!({"data": {"item": item(1)}})), ["urn:test:1"]);
        assert_eq!(
            uris(json!({"data": {"items": [{"item": item(1)}, {"item": item(2)}]}})),
            ["urn:test:1", "urn:test:2"]
        );
        assert_eq!(
            uris(json!({"item": [item(1), item(2)]})),
            ["urn:test:1", "urn:test:2"]
        );
        assert_eq!(
            uris(json!({"Data": {"Item": item(3)}})),
            ["urn:test:3"],
            "keys in any case"
        );
        assert_eq!(
            uris(json!([item(1), {"item": item(2)}])),
            ["urn:test:1", "urn:test:2"]
        );
        assert_eq!(uris(item(4)), ["urn:test:4"], "a bare item is its own");
    }

    #[test]
    fn json_that_holds_no_ninjs_is_named() {
        let refused = items_of(json!({"status": "ok", "count": 0}))
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("its keys are count, status")
                || refused.contains("its keys are status, count"),
            "{refused}"
        );
        let deep = json!({"data": {"data": {"data": {"data": {"data": {"uri": "x"}}}}}});
        assert!(items_of(deep).is_err(), "envelopes nest at most four deep");
        assert!(items_of(json!("text")).is_err());
    }
}
