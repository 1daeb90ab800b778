//! Repairs on the sanitizer's output where its source broke HTML's content rules: a paragraph
//! inside a paragraph or a `<pre>` (which hold text only) loses its tags, each becoming a line
//! break in a `<pre>` and a space in a paragraph, so no two lines run together; and a
//! picture without `alt` gets an empty one (the source said nothing of what it shows). The
//! input is a serialized tree, so every `<p>` has its `</p>`, tags nest properly and no `<`,
//! `>` or `"` stands unescaped in a text or a value. Repairing again changes nothing.

/// Where the tag opening at `open` ends (just past its `>`): the first `>` outside a quoted
/// value (the serializer quotes with `"`).
pub(crate) fn tag_end(html: &str, open: usize) -> usize {
    let mut quoted = false;
    html[open..]
        .char_indices()
        .find(|(_, c)| {
            if *c == '"' {
                quoted = !quoted;
            }
            *c == '>' && !quoted
        })
        .map_or(html.len(), |(i, _)| open + i + 1)
}

/// Whether `rest` (a tag without its `<`) opens or closes the element `name`.
fn tag_named(rest: &str, name: &str) -> bool {
    rest.strip_prefix(name)
        .is_some_and(|after| after.starts_with(['>', ' ', '/']))
}

/// Whether the tag has the attribute `name`, looked for outside quoted values only.
fn has_attribute(tag: &str, name: &str) -> bool {
    let mut quoted = false;
    tag.char_indices().any(|(i, c)| {
        if c == '"' {
            quoted = !quoted;
        }
        !quoted
            && c == ' '
            && tag[i + 1..]
                .strip_prefix(name)
                .is_some_and(|after| after.starts_with(['=', ' ', '>', '/']))
    })
}

/// `html` with its content-model repairs made (see the module's comment).
pub(crate) fn repaired(html: &str) -> String {
    let mut repair = Repair {
        out: String::with_capacity(html.len() + 16),
        ..Repair::default()
    };
    let mut at = 0;
    while let Some(found) = html[at..].find('<') {
        let open = at + found;
        repair.text(&html[at..open]);
        let end = tag_end(html, open);
        repair.tag(&html[open..end]);
        at = end;
    }
    repair.text(&html[at..]);
    repair.out
}

/// The repaired HTML so far, and where in the tree it stands.
#[derive(Default)]
struct Repair {
    out: String,
    /// For each open `<p>`: whether its tags were dropped.
    paragraphs: Vec<bool>,
    /// How many `<pre>` are open.
    pre: usize,
    /// Nothing written since a `<pre>` tag but dropped `<p>` tags.
    just_pre: bool,
    /// A `<p>` dropped right after `<pre>`: a line break starting its text is one every HTML
    /// parser drops there, so it is dropped now rather than at the next reading.
    strip_break: bool,
}

impl Repair {
    fn text(&mut self, mut text: &str) {
        if text.is_empty() {
            return;
        }
        if std::mem::take(&mut self.strip_break) {
            text = text.strip_prefix('\n').unwrap_or(text);
        }
        self.just_pre = false;
        self.out.push_str(text);
    }

    fn tag(&mut self, tag: &str) {
        let inner = &tag[1..];
        let just_pre = std::mem::take(&mut self.just_pre);
        // Only text straight after the `<pre>` tag (dropped tags aside) is read without a
        // first line break.
        let strip_break = std::mem::take(&mut self.strip_break);
        if tag_named(inner, "p") {
            let nested = self.pre > 0 || !self.paragraphs.is_empty();
            self.paragraphs.push(nested);
            if nested && self.pre > 0 {
                // Its text starts a line of its own.
                self.just_pre = just_pre;
                self.strip_break = strip_break || just_pre;
                if !just_pre && !self.out.ends_with('\n') {
                    self.out.push('\n');
                }
            } else if nested {
                self.out.push(' ');
            } else {
                self.out.push_str(tag);
            }
        } else if let Some(closing) = inner.strip_prefix('/') {
            if tag_named(closing, "p") {
                match self.paragraphs.pop() {
                    Some(true) if self.pre > 0 => self.out.push('\n'),
                    Some(true) => self.out.push(' '),
                    _ => self.out.push_str(tag),
                }
            } else {
                let closes_pre = tag_named(closing, "pre");
                self.pre = self.pre.saturating_sub(usize::from(closes_pre));
                self.out.push_str(tag);
            }
        } else if tag_named(inner, "pre") {
            self.pre += 1;
            self.just_pre = true;
            self.out.push_str(tag);
        } else if tag_named(inner, "img") && !has_attribute(tag, "alt") {
            self.out
                .push_str(tag.trim_end_matches('>').trim_end_matches('/'));
            self.out.push_str(" alt=\"\">");
        } else {
            self.out.push_str(tag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::repaired;

    #[test]
    fn paragraphs_inside_paragraphs_or_pre_keep_their_text_and_its_lines() {
        assert_eq!(
            repaired("<pre><p>let a = 1;</p><p>let b = 2;</p></pre>"),
            "<pre>let a = 1;\nlet b = 2;\n</pre>"
        );
        assert_eq!(
            repaired("<pre><p>\n  line</p></pre>"),
            "<pre>  line\n</pre>",
            "the break a parser would drop after <pre> is dropped now"
        );
        assert_eq!(
            repaired("<p>x<p></p>\n<p class=\"y\">z</p>w</p><p>v</p>"),
            "<p>x  \n z w</p><p>v</p>"
        );
        assert_eq!(
            repaired("<pre>x<p>y</p>z</pre>"),
            "<pre>x\ny\nz</pre>",
            "no two lines run together"
        );
        assert_eq!(
            repaired("<p>a</p><pre>\n\nb</pre><p>c</p>"),
            "<p>a</p><pre>\n\nb</pre><p>c</p>",
            "a pre's own text is its own"
        );
    }

    #[test]
    fn a_picture_without_alt_gets_an_empty_one() {
        assert_eq!(
            repaired("<img src=\"a.jpg\" title=\"x > y\">"),
            "<img src=\"a.jpg\" title=\"x > y\" alt=\"\">"
        );
        assert_eq!(
            repaired("<img src=\"x.jpg\" title=\"x alt=\">"),
            "<img src=\"x.jpg\" title=\"x alt=\" alt=\"\">",
            "an attribute's value is no attribute"
        );
        assert_eq!(
            repaired("<img alt=\"A boat\" src=\"b.jpg\">"),
            "<img alt=\"A boat\" src=\"b.jpg\">"
        );
        assert_eq!(
            repaired("<img src=\"c.jpg\">text &lt;p&gt;"),
            "<img src=\"c.jpg\" alt=\"\">text &lt;p&gt;"
        );
    }

    #[test]
    fn repairing_again_changes_nothing() {
        for html in [
            "<pre><p>let a = 1;</p><p>let b = 2;</p></pre>",
            "<pre><p>\n  line</p></pre>",
            "<p>x<p></p>\n<p>z</p>w</p>",
            "<img src=\"c.jpg\">",
        ] {
            let once = repaired(html);
            assert_eq!(repaired(&once), once, "{html}");
        }
    }
}
