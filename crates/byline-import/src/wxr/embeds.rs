//! Embedded posts and players as link cards: a paragraph naming the service with a link to
//! the original. Nothing loads from the service until the reader follows the link, so no
//! third party sees the reader's visit.

/// Services WordPress embeds from a bare URL, by host: (host, class, what the link says).
const SERVICES: [(&str, &str, &str); 11] = [
    ("youtube.com", "youtube", "Watch on YouTube"),
    ("youtu.be", "youtube", "Watch on YouTube"),
    ("vimeo.com", "vimeo", "Watch on Vimeo"),
    ("twitter.com", "x", "View the post on X"),
    ("x.com", "x", "View the post on X"),
    ("instagram.com", "instagram", "View the post on Instagram"),
    ("facebook.com", "facebook", "View the post on Facebook"),
    ("fb.watch", "facebook", "Watch on Facebook"),
    ("tiktok.com", "tiktok", "Watch on TikTok"),
    ("soundcloud.com", "soundcloud", "Listen on SoundCloud"),
    ("spotify.com", "spotify", "Listen on Spotify"),
];

/// The host of an http(s) URL, lower-case, without `www.`/`m.`/`mobile.`/`open.`.
fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    // Browsers end the host at `\` too; a user part (`who@`) could hide the real host.
    let host = rest
        .split(['/', '\\', '?', '#'])
        .next()?
        .to_ascii_lowercase();
    if host.contains('@') || host.is_empty() {
        return None;
    }
    let host = host.split(':').next()?;
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return None;
    }
    let mut host = host;
    for prefix in ["www.", "m.", "mobile.", "open."] {
        host = host.strip_prefix(prefix).unwrap_or(host);
    }
    Some(host.to_owned())
}

/// The service a URL embeds from, if Byline knows it.
pub(crate) fn service(url: &str) -> Option<(&'static str, &'static str)> {
    let host = host_of(url)?;
    SERVICES
        .iter()
        .find(|(h, _, _)| host == *h)
        .map(|(_, class, says)| (*class, *says))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The card for `url`: the service's name and the address shown, linked; an unknown service's
/// URL is an ordinary link.
pub(crate) fn card(url: &str) -> String {
    // The URL as written in HTML: its `&` may be escaped already.
    let url = url.trim().replace("&amp;", "&");
    let url = url.as_str();
    let shown = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    match service(url) {
        Some((class, says)) => format!(
            "\n<p class=\"embed embed-{class}\"><a href=\"{}\">{says}: {}</a></p>\n",
            escape(url),
            escape(shown)
        ),
        None => format!(
            "\n<p><a href=\"{}\">{}</a></p>\n",
            escape(url),
            escape(shown)
        ),
    }
}

/// A link to an audio or video file, for `[audio]` and `[video]`.
pub(crate) fn media_link(kind: &str, url: &str) -> String {
    let says = if kind == "audio" {
        "Listen to the recording"
    } else {
        "Watch the video"
    };
    format!(
        "\n<p class=\"embed embed-{kind}\"><a href=\"{}\">{says}</a></p>\n",
        escape(url)
    )
}

/// The text with every line that holds nothing but a known service's URL made a card, as
/// WordPress embeds such a line.
pub(crate) fn bare_urls(text: &str) -> String {
    if !text.contains("http") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let url = line
            .trim()
            .trim_start_matches("<p>")
            .trim_end_matches("</p>")
            .trim();
        let lone =
            !url.is_empty() && !url.contains(char::is_whitespace) && !url.contains(['<', '"']);
        if lone && service(url).is_some() {
            out.push_str(&card(url));
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_services_by_host_only() {
        assert_eq!(
            service("https://www.youtube.com/watch?v=abc").unwrap().0,
            "youtube"
        );
        assert_eq!(service("https://youtu.be/abc").unwrap().0, "youtube");
        assert_eq!(service("https://x.com/user/status/1").unwrap().0, "x");
        assert_eq!(
            service("https://open.spotify.com/track/1").unwrap().0,
            "spotify"
        );
        assert_eq!(service("https://evil.com/youtube.com/watch"), None);
        assert_eq!(service("https://youtube.com.evil.com/"), None);
        assert_eq!(service("https://user@notyoutube.com/"), None);
        assert_eq!(service("javascript:alert(1)//youtube.com"), None);
        assert_eq!(service("https://evil.example\\@www.youtube.com/x"), None);
        assert_eq!(service("https://evil.example\\www.youtube.com/x"), None);
    }

    #[test]
    fn a_lone_url_line_becomes_a_card_and_a_url_in_a_sentence_does_not() {
        let text = "Intro\nhttps://www.youtube.com/watch?v=abc&t=1\nSee https://vimeo.com/1 too";
        let out = bare_urls(text);
        assert!(out.contains(
            "<p class=\"embed embed-youtube\"><a href=\"https://www.youtube.com/watch?v=abc&amp;t=1\">Watch on YouTube: www.youtube.com/watch?v=abc&amp;t=1</a></p>"
        ), "{out}");
        assert!(out.contains("See https://vimeo.com/1 too"));
    }
}
