//! Repairs on the sanitizer's output where its source broke HTML's content rules: a paragraph
//! inside a paragraph or a `<pre>` (which hold text only) loses its tags and keeps its text,
//! and a picture without `alt` gets an empty one (the source said nothing of what it shows).
//! The input is a serialized tree, so every `<p>` has its `</p>` and tags nest properly.

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

/// Whether `html[at..]` opens or closes the element `name` (`<p>`, `<p class…>`, `</p>`).
fn tag_named(rest: &str, name: &str) -> bool {
    rest.strip_prefix(name)
        .is_some_and(|after| after.starts_with(['>', ' ', '/']))
}

/// `html` with its content-model repairs made (see the module's comment).
pub(crate) fn repaired(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    // For each open `<p>`: whether its tags were dropped. And how many `<pre>` are open.
    let mut paragraphs: Vec<bool> = Vec::new();
    let mut pre = 0usize;
    let mut at = 0;
    while let Some(found) = html[at..].find('<') {
        let open = at + found;
        out.push_str(&html[at..open]);
        let end = tag_end(html, open);
        let tag = &html[open..end];
        let inner = &tag[1..];
        if tag_named(inner, "p") {
            let nested = pre > 0 || !paragraphs.is_empty();
            paragraphs.push(nested);
            if !nested {
                out.push_str(tag);
            }
        } else if let Some(closing) = inner.strip_prefix('/') {
            if tag_named(closing, "p") {
                if !paragraphs.pop().unwrap_or(false) {
                    out.push_str(tag);
                }
            } else {
                pre = pre.saturating_sub(usize::from(tag_named(closing, "pre")));
                out.push_str(tag);
            }
        } else if tag_named(inner, "pre") {
            pre += 1;
            out.push_str(tag);
        } else if tag_named(inner, "img") && !tag.contains(" alt=\"") {
            out.push_str(tag.trim_end_matches('>').trim_end_matches('/'));
            out.push_str(" alt=\"\">");
        } else {
            out.push_str(tag);
        }
        at = end;
    }
    out.push_str(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::repaired;

    #[test]
    fn paragraphs_inside_paragraphs_or_pre_keep_only_their_text() {
        assert_eq!(
            repaired("<pre>  <p>a\n b</p></pre><p>c</p>"),
            "<pre>  a\n b</pre><p>c</p>"
        );
        assert_eq!(
            repaired("<p>x<p></p>\n<p class=\"y\">z</p>w</p><p>v</p>"),
            "<p>x\nzw</p><p>v</p>"
        );
        assert_eq!(
            repaired("<p>a</p><pre>b</pre><p>c</p>"),
            "<p>a</p><pre>b</pre><p>c</p>"
        );
        assert_eq!(
            repaired("<param><pre><picture>t</picture></pre>"),
            "<param><pre><picture>t</picture></pre>"
        );
    }

    #[test]
    fn a_picture_without_alt_gets_an_empty_one() {
        assert_eq!(
            repaired("<img src=\"a.jpg\" title=\"x > y\">"),
            "<img src=\"a.jpg\" title=\"x > y\" alt=\"\">"
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
}
