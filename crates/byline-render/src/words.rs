//! Counting the words of stored HTML without writing its text out.

use crate::html::read_text;

/// How many words `html` has: what `crate::plain_text(html).split_whitespace().count()` gives,
/// counted without writing the text out (a story's JSON-LD `wordCount` on every render).
pub fn word_count(html: &str) -> usize {
    let mut words = Words::default();
    read_text(html, |piece| words.read(piece));
    words.count
}

/// Words counted as text is read, a piece at a time.
#[derive(Default)]
struct Words {
    count: usize,
    in_word: bool,
}

impl Words {
    fn read(&mut self, text: &str) {
        if text.is_ascii() {
            // Most of any story: counted without a branch per byte. `char::is_whitespace` in
            // ASCII is tab to carriage return, and space.
            let (mut count, mut in_word) = (0, self.in_word);
            for &byte in text.as_bytes() {
                let space = (byte == b' ') | (byte.wrapping_sub(b'\t') <= b'\r' - b'\t');
                count += usize::from(!space & !in_word);
                in_word = !space;
            }
            self.count += count;
            self.in_word = in_word;
            return;
        }
        for c in text.chars() {
            if c.is_whitespace() {
                self.in_word = false;
            } else if !self.in_word {
                self.in_word = true;
                self.count += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plain_text;

    #[test]
    fn words_are_counted_as_in_the_plain_text() {
        for html in [
            "<p>One &amp; two</p><p>three&nbsp;four &#8217; &#x2019;</p>",
            "AT&T & co",
            "",
            "<p>word</p><p>word</p>",
            "split<br>by<img src=x>tags and\n\tspaces  ",
            "<p>an unclosed <a href",
            "&nbsp;&nbsp;x&nbsp;y&unknown;z",
            "vertical\x0btab\x0cfeed\rreturn\u{1c}file separator",
            "en\u{2002}space\u{3000}ideographic\u{85}next\u{a0}line\u{200b}zero-width é ü",
        ] {
            assert_eq!(
                word_count(html),
                plain_text(html).split_whitespace().count(),
                "{html}"
            );
        }
        assert_eq!(word_count("<p>One &amp; two</p><p>three&nbsp;four</p>"), 5);
    }
}
