//! IPTC ninjs items written for a test to import: a builder over the JSON.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// A ninjs 2.2 item under construction: `Item::new("urn:x", "Headline").body(...).write(dir)`.
pub struct Item(Value);

impl Item {
    pub fn new(uri: &str, headline: &str) -> Item {
        Item(json!({
            "uri": uri, "type": "text", "language": "en",
            "headlines": [{"role": "main", "value": headline}],
            "bodies": [{"role": "richtext", "contenttype": "text/html", "value": format!("<p>Text of {headline}.</p>")}],
        }))
    }

    pub fn set(mut self, key: &str, value: Value) -> Item {
        self.0[key] = value;
        self
    }

    pub fn body(self, html: &str) -> Item {
        self.set(
            "bodies",
            json!([{"role": "richtext", "contenttype": "text/html", "value": html}]),
        )
    }

    pub fn created(self, time: &str) -> Item {
        self.set("firstcreated", json!(time))
            .set("versioncreated", json!(time))
    }

    pub fn version(self, version: u32) -> Item {
        self.set("version", json!(version.to_string()))
    }

    pub fn subjects(self, names: &[&str]) -> Item {
        self.set(
            "subject",
            Value::Array(names.iter().map(|n| json!({"name": n})).collect()),
        )
    }

    pub fn picture(self, href: &str, credit: &str, caption: &str) -> Item {
        self.set(
            "associations",
            json!([{"name": "featureimage", "type": "picture", "by": credit,
                    "descriptions": [{"role": "caption", "value": caption}],
                    "renditions": [{"name": "original", "href": href, "contenttype": "image/jpeg"}]}]),
        )
    }

    /// Writes `items` as one file, `DIR/NAME.json` (a JSON array), and returns the path.
    pub fn write_all(items: Vec<Item>, dir: &Path, name: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(format!("{name}.json"));
        let all = Value::Array(items.into_iter().map(|item| item.0).collect());
        std::fs::write(&path, serde_json::to_string(&all).unwrap()).unwrap();
        path
    }

    /// Writes the item as `DIR/NAME.json` and returns the path.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&self.0).unwrap()).unwrap();
        path
    }
}
