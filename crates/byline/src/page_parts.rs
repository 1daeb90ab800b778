//! Pages assembled from parts compressed once each: a part's Brotli is made so that joining
//! parts' bytes gives a valid Brotli stream of the joined page, with no compression at join
//! time (see docs/decisions/0033-election-night-design.md).

use std::io::Write;

use axum::body::Bytes;
use brotli::concat::{BroCatli, BroCatliResult};
use brotli::enc::BrotliEncoderParams;

use crate::codings::BROTLI_QUALITY;

/// Every part's Brotli window (2^22 bytes): joined streams must not widen the first one's.
const BROTLI_WINDOW: u8 = 22;

/// The Brotli writer's own buffer. Measured on an article's own parts at quality 0, 4 KiB
/// compressed them in 64 µs against 78 µs with 16 KiB (and 67 µs with 64 KiB).
const WRITER_BUFFER: usize = 4 * 1024;

/// Where a part may stand in a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Only ever the page's first part (its Brotli may use the built-in dictionary).
    First,
    /// After another part.
    Later,
}

/// How hard a part is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    /// Fast (Brotli quality 0, about a fifth of the time of `Full` for some 20 % more bytes;
    /// a quarter faster than quality 1 for 2 % more): what a page rendered for a waiting
    /// reader is compressed with.
    Quick,
    /// The quality every kept page ends up with (compressed again in idle time).
    Full,
}

impl Grade {
    fn quality(self) -> i32 {
        match self {
            Grade::Quick => 0,
            Grade::Full => BROTLI_QUALITY as i32,
        }
    }

    /// What the `ETag` of a page's Brotli ends with: bytes of another grade are other bytes.
    pub fn brotli_etag_suffix(self) -> &'static str {
        match self {
            Grade::Quick => "-br-quick",
            Grade::Full => "-br",
        }
    }
}

/// `plain` compressed with Brotli for its place in pages: joined by [`join`] to the other
/// parts of a page, in order.
pub fn compress(plain: &[u8], place: Place, grade: Grade) -> Bytes {
    Bytes::from(brotli_part(plain, place, grade))
}

fn brotli_part(plain: &[u8], place: Place, grade: Grade) -> Vec<u8> {
    let params = BrotliEncoderParams {
        quality: grade.quality(),
        lgwin: i32::from(BROTLI_WINDOW),
        appendable: place == Place::First,
        catable: place == Place::Later,
        use_dictionary: place == Place::First,
        size_hint: plain.len(),
        ..BrotliEncoderParams::default()
    };
    let mut out = Vec::with_capacity(plain.len() / 3 + 16);
    {
        let mut writer = brotli::CompressorWriter::with_params(&mut out, WRITER_BUFFER, &params);
        writer.write_all(plain).expect("writing to memory");
    }
    out
}

/// The page made of the Brotli `parts` (made by [`compress`], only the first of them
/// [`Place::First`]): a Brotli stream of their plain bytes one after the other. `None` when
/// a part is no such stream.
pub fn join(parts: &[&[u8]]) -> Option<Vec<u8>> {
    let length: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = vec![0u8; length + 64];
    let mut written = 0;
    let mut joiner = BroCatli::new();
    for part in parts {
        joiner.new_brotli_file();
        let mut read = 0;
        loop {
            match joiner.stream(part, &mut read, &mut out, &mut written) {
                BroCatliResult::NeedsMoreOutput => out.resize(out.len() * 2, 0),
                BroCatliResult::Success | BroCatliResult::NeedsMoreInput if read == part.len() => {
                    break;
                }
                BroCatliResult::Success | BroCatliResult::NeedsMoreInput => {}
                _ => return None,
            }
        }
    }
    loop {
        match joiner.finish(&mut out, &mut written) {
            BroCatliResult::NeedsMoreOutput => out.resize(out.len() * 2, 0),
            BroCatliResult::Success => break,
            _ => return None,
        }
    }
    out.truncate(written);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codings::decompress_brotli;

    fn html(words: &str, n: usize) -> Vec<u8> {
        let mut page = String::new();
        for i in 0..n {
            page.push_str(&format!(
                "<li><a href=\"/story/{words}-{i}\">{words} {i}</a></li>\n"
            ));
        }
        page.into_bytes()
    }

    /// Compresses `plains` as the parts of one page, joins them and reads the join back.
    fn round_trip(plains: &[&[u8]]) -> Vec<u8> {
        // Parts of both grades join: a page's own parts are quick until compressed again.
        let parts: Vec<Bytes> = plains
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let grade = [Grade::Quick, Grade::Full][i % 2];
                compress(p, if i == 0 { Place::First } else { Place::Later }, grade)
            })
            .collect();
        let refs: Vec<&[u8]> = parts.iter().map(|p| &p[..]).collect();
        let joined = join(&refs).expect("parts made here join");
        let page = decompress_brotli(&joined).expect("the joined stream decodes");
        let total: usize = plains.iter().map(|p| p.len()).sum();
        if total > 4096 {
            assert!(joined.len() < total / 3, "the joined page stays compressed");
        }
        page
    }

    #[test]
    fn joined_parts_decode_to_the_joined_page() {
        let head = html("council votes on the harbour", 300);
        let rails = html("latest", 40);
        let other = html("ferry returns", 120);
        let tail = b"</main></body></html>\n".to_vec();
        for plains in [
            vec![&head[..], &rails, &tail],
            vec![&other[..], &rails, &tail],
            vec![&head[..], &[], &rails, &tail],
            vec![&head[..]],
        ] {
            assert_eq!(round_trip(&plains), plains.concat());
        }
    }

    #[test]
    fn parts_that_do_not_compress_still_join() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<u8> = (0..300_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let page = decompress_brotli(
            &join(&[
                &compress(&noise[..100_000], Place::First, Grade::Full),
                &compress(&noise[100_000..], Place::Later, Grade::Quick),
            ])
            .unwrap(),
        )
        .unwrap();
        assert_eq!(page, noise);
    }

    #[test]
    fn a_large_part_with_long_distances_still_joins() {
        // Pseudo-random text larger than Brotli's blocks.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let text: String = (0..400_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ["harbour ", "council ", "vote ", "\n", "ferry ", "é "][(x % 6) as usize]
            })
            .collect();
        let rails = html("latest", 40);
        assert_eq!(
            round_trip(&[text.as_bytes(), &rails]),
            [text.as_bytes(), &rails].concat()
        );
    }
}
