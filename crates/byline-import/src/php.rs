//! Just enough of PHP's `serialize()` format to read WordPress attachment metadata
//! (`_wp_attachment_metadata`): strings, numbers, booleans, null and arrays.

use std::collections::BTreeMap;

/// A PHP value; array keys are kept as text.
#[derive(Debug, Clone, PartialEq)]
pub enum Php {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Array(BTreeMap<String, Php>),
}

impl Php {
    /// The value under `key` of an array.
    pub fn get(&self, key: &str) -> Option<&Php> {
        match self {
            Php::Array(map) => map.get(key),
            _ => None,
        }
    }

    /// Non-blank text.
    pub fn text(&self) -> Option<String> {
        match self {
            Php::Text(t) if !t.trim().is_empty() => Some(t.trim().to_owned()),
            _ => None,
        }
    }

    /// A positive whole number that fits in `u32`.
    pub fn dimension(&self) -> Option<u32> {
        match self {
            Php::Int(n) => u32::try_from(*n).ok().filter(|n| *n > 0),
            Php::Text(t) => t.trim().parse().ok().filter(|n| *n > 0),
            _ => None,
        }
    }
}

/// Reads one serialized value; `None` for anything malformed or with trailing bytes. String
/// lengths count bytes, as PHP writes them.
pub fn unserialize(text: &str) -> Option<Php> {
    let mut reader = Reader {
        bytes: text.trim().as_bytes(),
        at: 0,
        depth: 0,
    };
    let value = reader.value()?;
    (reader.at == reader.bytes.len()).then_some(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    depth: usize,
}

impl Reader<'_> {
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.bytes.get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    /// Bytes up to (not including) `end`, which is consumed.
    fn until(&mut self, end: u8) -> Option<&str> {
        let rest = self.bytes.get(self.at..)?;
        let len = rest.iter().position(|b| *b == end)?;
        let found = std::str::from_utf8(&rest[..len]).ok()?;
        self.at += len + 1;
        Some(found)
    }

    fn value(&mut self) -> Option<Php> {
        let kind = *self.bytes.get(self.at)?;
        self.at += 1;
        if kind == b'N' {
            self.expect(b';')?;
            return Some(Php::Null);
        }
        self.expect(b':')?;
        match kind {
            b'b' => Some(Php::Bool(self.until(b';')? == "1")),
            b'i' => self.until(b';')?.parse().ok().map(Php::Int),
            b'd' => self.until(b';')?.parse().ok().map(Php::Float),
            b's' => {
                let len: usize = self.until(b':')?.parse().ok()?;
                self.expect(b'"')?;
                let raw = self.bytes.get(self.at..self.at.checked_add(len)?)?;
                let text = String::from_utf8_lossy(raw).into_owned();
                self.at += len;
                self.expect(b'"')?;
                self.expect(b';')?;
                Some(Php::Text(text))
            }
            b'a' => self.array(),
            _ => None,
        }
    }

    fn array(&mut self) -> Option<Php> {
        // Nesting deeper than any WordPress metadata is refused, not followed.
        self.depth += 1;
        if self.depth > 32 {
            return None;
        }
        let count: usize = self.until(b':')?.parse().ok()?;
        self.expect(b'{')?;
        let mut map = BTreeMap::new();
        for _ in 0..count {
            let key = match self.value()? {
                Php::Int(n) => n.to_string(),
                Php::Text(t) => t,
                _ => return None,
            };
            map.insert(key, self.value()?);
        }
        self.expect(b'}')?;
        self.depth -= 1;
        Some(Php::Array(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_attachment_metadata_as_wordpress_writes_it() {
        let meta = r#"a:3:{s:5:"width";i:3510;s:4:"file";s:20:"2014/10/IMG_2347.jpg";s:10:"image_meta";a:3:{s:8:"aperture";d:7.1;s:6:"credit";s:7:"EPA/Müller";s:7:"caption";s:0:"";}}"#;
        let meta = meta.replace("s:7:\"EPA/Müller\"", "s:11:\"EPA/Müller\"");
        let value = unserialize(&meta).unwrap();
        assert_eq!(value.get("width").and_then(Php::dimension), Some(3510));
        let image = value.get("image_meta").unwrap();
        assert_eq!(
            image.get("credit").and_then(Php::text).as_deref(),
            Some("EPA/Müller")
        );
        assert_eq!(image.get("caption").and_then(Php::text), None);
        assert_eq!(unserialize("b:1;"), Some(Php::Bool(true)));
        assert_eq!(unserialize("N;"), Some(Php::Null));
    }

    #[test]
    fn malformed_values_are_none() {
        for bad in [
            "",
            "s:5:\"abc\";",
            "a:2:{s:1:\"a\";i:1;}",
            "i:12",
            "x:1;",
            "a:1:{d:1.5;i:1;}",
            "s:99999999999999999999:\"\";",
            "i:1;i:2;",
        ] {
            assert_eq!(unserialize(bad), None, "{bad}");
        }
        let deep = "a:1:{i:0;".repeat(100) + "N;" + &"}".repeat(100);
        assert_eq!(unserialize(&deep), None);
    }
}
