//! Text made safe for XML 1.0: markup characters escaped and the characters XML cannot carry
//! (control characters other than tab, line feed and carriage return) left out.

/// Whether XML 1.0 may carry the character at all.
pub fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (!c.is_control() && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// `text` as XML character data or an attribute value (either quote).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape_into(&mut out, text);
    out
}

/// Appends `text` escaped to `out`.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
}

/// Appends `<name>text</name>`.
pub fn element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// `text` without the characters XML cannot carry, for JSON that must say the same.
pub fn clean(text: &str) -> String {
    text.chars().filter(|c| allowed(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_carry() {
        assert_eq!(
            escape("Fish & \"Chips\" <b>'1'</b> 🐟\u{1}\u{b}\tend"),
            "Fish &amp; &quot;Chips&quot; &lt;b&gt;&apos;1&apos;&lt;/b&gt; 🐟\tend"
        );
        let mut out = String::new();
        element(&mut out, "title", "A < B");
        assert_eq!(out, "<title>A &lt; B</title>");
        assert_eq!(clean("a\u{0}b\u{FFFF}c"), "abc");
    }
}
