//! Pages assembled from parts compressed once each: a part's Brotli and deflate are made so
//! that joining parts' bytes gives a valid stream of the joined page, with no compression at
//! join time (see docs/decisions/0033-election-night-design.md).

use std::io::Write;

use axum::body::Bytes;
use brotli::concat::{BroCatli, BroCatliResult};
use brotli::enc::BrotliEncoderParams;
use flate2::{Compress, Compression, Crc, FlushCompress};

use crate::codings::{BROTLI_QUALITY, Coding};

/// Every part's Brotli window (2^22 bytes): joined streams must not widen the first one's.
const BROTLI_WINDOW: u8 = 22;
/// gzip's header: deflate, no name or time, unknown system.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// A final, empty deflate block with fixed codes: ends the joined deflate stream.
const DEFLATE_END: [u8; 2] = [0x03, 0x00];

/// Where a part may stand in a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Only ever the page's first part (its Brotli may use the built-in dictionary).
    First,
    /// After another part.
    Later,
}

/// A stretch of a page in every coding, each made to be joined to the others' parts.
#[derive(Debug)]
pub struct Part {
    plain: Bytes,
    place: Place,
    /// A Brotli stream another may be appended to (or that may be appended).
    brotli: Bytes,
    /// Raw deflate blocks ending on a byte boundary (sync flush), none of them final.
    deflate: Bytes,
    crc: Crc,
}

impl Part {
    /// `plain` compressed for its place in pages.
    pub fn new(plain: Bytes, place: Place) -> Part {
        let mut crc = Crc::new();
        crc.update(&plain);
        Part {
            brotli: Bytes::from(brotli_part(&plain, place)),
            deflate: Bytes::from(deflate_part(&plain)),
            plain,
            place,
            crc,
        }
    }

    /// The part's plain bytes.
    pub fn plain(&self) -> &Bytes {
        &self.plain
    }

    /// The bytes it holds in all its forms.
    pub fn held(&self) -> usize {
        self.plain.len() + self.brotli.len() + self.deflate.len()
    }
}

/// The page made of `parts` in `coding`: the same bytes a reader decodes as the parts'
/// plain bytes one after the other. Only the first part may be [`Place::First`].
pub fn join(parts: &[&Part], coding: Coding) -> Vec<u8> {
    debug_assert!(parts.iter().skip(1).all(|p| p.place == Place::Later));
    match coding {
        Coding::Identity => parts.iter().flat_map(|p| p.plain.iter().copied()).collect(),
        Coding::Gzip => join_gzip(parts),
        Coding::Brotli => join_brotli(parts),
    }
}

fn brotli_part(plain: &[u8], place: Place) -> Vec<u8> {
    let params = BrotliEncoderParams {
        quality: BROTLI_QUALITY as i32,
        lgwin: i32::from(BROTLI_WINDOW),
        appendable: place == Place::First,
        catable: place == Place::Later,
        use_dictionary: place == Place::First,
        size_hint: plain.len(),
        ..BrotliEncoderParams::default()
    };
    let mut out = Vec::with_capacity(plain.len() / 3 + 16);
    {
        let mut writer = brotli::CompressorWriter::with_params(&mut out, 16 * 1024, &params);
        writer.write_all(plain).expect("writing to memory");
    }
    out
}

fn deflate_part(plain: &[u8]) -> Vec<u8> {
    let mut compress = Compress::new(Compression::new(6), false);
    // Room for stored blocks' worst case, so one call usually takes all input and flushes.
    let mut out = Vec::with_capacity(plain.len() + plain.len() / 16 + 1024);
    let mut filled = false;
    loop {
        let read = compress.total_in() as usize;
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(1024));
        }
        compress
            .compress_vec(&plain[read..], &mut out, FlushCompress::Sync)
            .expect("deflate into memory");
        let room = out.len() < out.capacity();
        // A call that filled the buffer may have held back the end of a block: the flush is
        // done only when all input is in and neither this call nor the one before ran out of
        // room (a further call after a finished flush adds an empty block, which is harmless).
        if compress.total_in() as usize == plain.len() && room && !filled {
            return out;
        }
        filled = !room;
    }
}

fn join_gzip(parts: &[&Part]) -> Vec<u8> {
    let length: usize = parts.iter().map(|p| p.deflate.len()).sum();
    let mut out = Vec::with_capacity(GZIP_HEADER.len() + length + DEFLATE_END.len() + 8);
    out.extend_from_slice(&GZIP_HEADER);
    let mut crc = Crc::new();
    for part in parts {
        out.extend_from_slice(&part.deflate);
        crc.combine(&part.crc);
    }
    out.extend_from_slice(&DEFLATE_END);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&crc.amount().to_le_bytes());
    out
}

fn join_brotli(parts: &[&Part]) -> Vec<u8> {
    let length: usize = parts.iter().map(|p| p.brotli.len()).sum();
    let mut out = vec![0u8; length + 64];
    let mut written = 0;
    let mut joiner = BroCatli::new();
    for part in parts {
        joiner.new_brotli_file();
        let mut read = 0;
        loop {
            match joiner.stream(&part.brotli, &mut read, &mut out, &mut written) {
                BroCatliResult::NeedsMoreOutput => out.resize(out.len() * 2, 0),
                BroCatliResult::Success | BroCatliResult::NeedsMoreInput
                    if read == part.brotli.len() =>
                {
                    break;
                }
                BroCatliResult::Success | BroCatliResult::NeedsMoreInput => {}
                other => panic!("a part this server made cannot be joined: {other:?}"),
            }
        }
    }
    loop {
        match joiner.finish(&mut out, &mut written) {
            BroCatliResult::NeedsMoreOutput => out.resize(out.len() * 2, 0),
            BroCatliResult::Success => break,
            other => panic!("parts this server made cannot be ended: {other:?}"),
        }
    }
    out.truncate(written);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn decoded(bytes: &[u8], coding: Coding) -> Vec<u8> {
        let mut out = Vec::new();
        match coding {
            Coding::Identity => out.extend_from_slice(bytes),
            Coding::Gzip => {
                flate2::read::GzDecoder::new(bytes)
                    .read_to_end(&mut out)
                    .unwrap();
            }
            Coding::Brotli => out = crate::codings::decompress_brotli(bytes).unwrap(),
        }
        out
    }

    fn html(words: &str, n: usize) -> Bytes {
        let mut page = String::new();
        for i in 0..n {
            page.push_str(&format!(
                "<li><a href=\"/story/{words}-{i}\">{words} {i}</a></li>\n"
            ));
        }
        Bytes::from(page)
    }

    #[test]
    fn joined_parts_decode_to_the_joined_page_in_every_coding() {
        let head = Part::new(html("council votes on the harbour", 300), Place::First);
        let rails = Part::new(html("latest", 40), Place::Later);
        let tail = Part::new(Bytes::from_static(b"</main></body></html>\n"), Place::Later);
        let empty = Part::new(Bytes::new(), Place::Later);
        let other = Part::new(html("ferry returns", 120), Place::First);
        for parts in [
            vec![&head, &rails, &tail],
            vec![&other, &rails, &tail],
            vec![&head, &empty, &rails, &tail],
            vec![&head],
        ] {
            let page: Vec<u8> = parts.iter().flat_map(|p| p.plain().to_vec()).collect();
            for coding in [Coding::Identity, Coding::Gzip, Coding::Brotli] {
                let joined = join(&parts, coding);
                assert_eq!(decoded(&joined, coding), page, "{coding:?}");
                if coding != Coding::Identity {
                    assert!(joined.len() < page.len() / 3, "{coding:?} compresses");
                }
            }
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
        let first = Part::new(Bytes::from(noise[..100_000].to_vec()), Place::First);
        let later = Part::new(Bytes::from(noise[100_000..].to_vec()), Place::Later);
        for coding in [Coding::Gzip, Coding::Brotli] {
            assert_eq!(decoded(&join(&[&first, &later], coding), coding), noise);
        }
    }

    #[test]
    fn a_large_part_with_long_distances_still_joins() {
        // Pseudo-random text larger than deflate's window and Brotli's blocks.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let text: String = (0..400_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ["harbour ", "council ", "vote ", "\n", "ferry ", "é "][(x % 6) as usize]
            })
            .collect();
        let big = Part::new(Bytes::from(text), Place::First);
        let rails = Part::new(html("latest", 40), Place::Later);
        let page: Vec<u8> = [big.plain().to_vec(), rails.plain().to_vec()].concat();
        for coding in [Coding::Gzip, Coding::Brotli] {
            assert_eq!(decoded(&join(&[&big, &rails], coding), coding), page);
        }
    }
}
