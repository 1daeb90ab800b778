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
        Value::Object(object) => {
            if is_item(&object) {
                return Ok(vec![Value::Object(object)]);
            }
            match unwrap(&object, 0) {
                Some(items) => Ok(items),
                None => Err(NinjsError::NotNinjs(format!(
                    "the object has no ninjs field (uri, guid, headline, headlines, bodies, …) \
                     and no envelope ({}) holding items; its keys are {}",
                    ENVELOPE_KEYS.join(", "),
                    keys(&object)
                ))),
            }
        }
        other => Err(NinjsError::NotNinjs(format!(
            "the file holds a JSON {}, not an object or array",
            kind(&other)
        ))),
    }
}

/// An array member: the items of an envelope, else the member itself.
fn member(value: Value) -> Vec<Value> {
    match &value {
        Value::Object(object) if !is_item(object) => {
            unwrap(object, 0).unwrap_or_else(|| vec![value])
        }
        _ => vec![value],
    }
}

/// The items inside an envelope, `None` when `object` holds none of the envelope keys.
fn unwrap(object: &Map<String, Value>, depth: usize) -> Option<Vec<Value>> {
    if depth >= MAX_DEPTH {
        return None;
    }
    let (_, inner) = ENVELOPE_KEYS.iter().find_map(|key| {
        object
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case(key) && (v.is_object() || v.is_array()))
    })?;
    match inner {
        Value::Object(o) if is_item(o) => Some(vec![inner.clone()]),
        Value::Object(o) => unwrap(o, depth + 1),
        Value::Array(members) => Some(
            members
                .iter()
                .flat_map(|m| match m {
                    Value::Object(o) if !is_item(o) => {
                        unwrap(o, depth + 1).unwrap_or_else(|| vec![m.clone()])
                    }
                    _ => vec![m.clone()],
                })
                .collect(),
        ),
        _ => None,
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
