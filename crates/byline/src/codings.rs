//! The content codings pages travel in (Brotli, gzip, none): choosing one by
//! `Accept-Encoding`, compressing, and reading Brotli back.

use std::io::{Read, Write};

/// A content coding the server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    /// Its `Content-Encoding` token; none for the plain bytes.
    pub fn token(self) -> Option<&'static str> {
        match self {
            Coding::Brotli => Some("br"),
            Coding::Gzip => Some("gzip"),
            Coding::Identity => None,
        }
    }
}

/// The best coding `Accept-Encoding` allows: Brotli, then gzip, then none. Malformed or
/// enormous headers are read only as far as their first 32 entries.
pub fn negotiate(accept: Option<&str>) -> Coding {
    let Some(accept) = accept else {
        return Coding::Identity;
    };
    let q = |coding: &str| -> Option<f32> {
        let mut found = None;
        for entry in accept.split(',').take(32) {
            let mut parts = entry.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            if name != coding && name != "*" {
                continue;
            }
            let weight = parts
                .filter_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.trim().parse::<f32>().ok())
                })
                .next()
                .unwrap_or(1.0);
            // An exact name beats the wildcard.
            if name == coding || found.is_none() {
                found = Some(weight);
            }
        }
        found
    };
    let (br, gzip) = (q("br").unwrap_or(0.0), q("gzip").unwrap_or(0.0));
    if br > 0.0 && br >= gzip {
        Coding::Brotli
    } else if gzip > 0.0 {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// Brotli quality for pages. Quality 9 made a cache miss cost ~11 ms (p50, 1,500-word
/// article); 5 compresses about as well as gzip at a fraction of that.
pub(crate) const BROTLI_QUALITY: u32 = 5;

pub fn compress(body: &[u8], coding: Coding) -> Vec<u8> {
    match coding {
        Coding::Identity => body.to_vec(),
        Coding::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 3),
                flate2::Compression::new(6),
            );
            encoder.write_all(body).expect("writing to memory");
            encoder.finish().expect("writing to memory")
        }
        Coding::Brotli => {
            let mut out = Vec::with_capacity(body.len() / 3);
            {
                let mut writer =
                    brotli::CompressorWriter::new(&mut out, 16 * 1024, BROTLI_QUALITY, 22);
                writer.write_all(body).expect("writing to memory");
            }
            out
        }
    }
}

/// The plain bytes of a Brotli stream this server made.
pub fn decompress_brotli(compressed: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(compressed.len() * 4);
    brotli::Decompressor::new(compressed, 16 * 1024).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_brotli_and_honours_q() {
        assert_eq!(negotiate(None), Coding::Identity);
        assert_eq!(negotiate(Some("gzip, deflate, br")), Coding::Brotli);
        assert_eq!(negotiate(Some("gzip")), Coding::Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0.5")), Coding::Gzip);
        assert_eq!(negotiate(Some("br;q=0.2, gzip;q=0.8")), Coding::Gzip);
        assert_eq!(negotiate(Some("*")), Coding::Brotli);
        assert_eq!(negotiate(Some("*;q=0, identity")), Coding::Identity);
        assert_eq!(negotiate(Some("identity")), Coding::Identity);
        assert_eq!(
            negotiate(Some(";;;,,,q=x, br;q=abc")),
            Coding::Brotli,
            "an unreadable q counts as 1"
        );
        let absurd = "x, ".repeat(10_000) + "gzip";
        assert_eq!(
            negotiate(Some(&absurd)),
            Coding::Identity,
            "only the first 32 entries are read"
        );
    }

    #[test]
    fn compression_round_trips() {
        let page = "<p>Harbour news</p>".repeat(500);
        let gz = compress(page.as_bytes(), Coding::Gzip);
        let mut out = String::new();
        Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out).unwrap();
        assert_eq!(out, page);
        let br = compress(page.as_bytes(), Coding::Brotli);
        assert_eq!(decompress_brotli(&br).unwrap(), page.as_bytes());
        assert!(br.len() < page.len() / 10 && gz.len() < page.len() / 10);
    }
}
