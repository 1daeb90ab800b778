//! EXIF's first image directory (APP1 `Exif\0\0`): Artist, Copyright, ImageDescription.

use super::jpeg::Segment;
use super::{PhotoMetadata, clean};

const ARTIST: u16 = 0x013B;
const COPYRIGHT: u16 = 0x8298;
const DESCRIPTION: u16 = 0x010E;
const ASCII: u16 = 2;

pub(super) fn read(segments: &[Segment<'_>]) -> PhotoMetadata {
    let mut metadata = PhotoMetadata::default();
    for segment in segments.iter().filter(|s| s.marker == 0xE1) {
        if let Some(tiff) = segment.data.strip_prefix(b"Exif\0\0") {
            read_tiff(tiff, &mut metadata);
        }
    }
    metadata
}

fn read_tiff(tiff: &[u8], metadata: &mut PhotoMetadata) {
    let little = match tiff.get(..4) {
        Some(b"II*\0") => true,
        Some(b"MM\0*") => false,
        _ => return,
    };
    let u16_at = |at: usize| {
        tiff.get(at..at + 2).map(|b| {
            if little {
                u16::from_le_bytes([b[0], b[1]])
            } else {
                u16::from_be_bytes([b[0], b[1]])
            }
        })
    };
    let u32_at = |at: usize| {
        tiff.get(at..at + 4).map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            (if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            }) as usize
        })
    };
    let Some(ifd) = u32_at(4) else { return };
    let Some(count) = u16_at(ifd) else { return };
    for n in 0..usize::from(count) {
        let entry = ifd + 2 + n * 12;
        let (Some(tag), Some(kind), Some(length)) =
            (u16_at(entry), u16_at(entry + 2), u32_at(entry + 4))
        else {
            return;
        };
        if kind != ASCII || !matches!(tag, ARTIST | COPYRIGHT | DESCRIPTION) {
            continue;
        }
        let start = if length <= 4 {
            entry + 8
        } else {
            let Some(offset) = u32_at(entry + 8) else {
                continue;
            };
            offset
        };
        let Some(value) = tiff
            .get(start..start.saturating_add(length))
            .and_then(|v| clean(&String::from_utf8_lossy(v)))
        else {
            continue;
        };
        match tag {
            // Several creators share the one string, `; `-separated (MWG).
            ARTIST => metadata.creators.extend(
                value
                    .split("; ")
                    .filter_map(|name| clean(name.trim_matches('"'))),
            ),
            COPYRIGHT => metadata.copyright = Some(value),
            _ => metadata.caption = Some(value),
        }
    }
}
