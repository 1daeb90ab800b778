//! IPTC-IIM inside Photoshop's APP13 resources (resource 0x0404). Text is UTF-8 when dataset
//! 1:90 says so (`ESC % G`), else Latin-1.

use md5::{Digest, Md5};

use super::jpeg::Segment;
use super::{PhotoMetadata, clean};

const PHOTOSHOP: &[u8] = b"Photoshop 3.0\0";
const IIM_RESOURCE: u16 = 0x0404;
const DIGEST_RESOURCE: u16 = 0x0425;

/// Whether a file has IIM, and whether it was changed after the last tool that kept IIM and
/// XMP in step wrote its digest (MD5 of the IIM block): then the IIM is the newer of the two.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct IimState {
    pub present: bool,
    pub edited_after_xmp: bool,
}

/// The IIM fields and the IIM's state.
pub(super) fn read(segments: &[Segment<'_>]) -> (PhotoMetadata, IimState) {
    let mut metadata = PhotoMetadata::default();
    let (mut block, mut digest) = (None, None);
    for segment in segments.iter().filter(|s| s.marker == 0xED) {
        if let Some(resources) = segment.data.strip_prefix(PHOTOSHOP) {
            for (id, data) in resources_of(resources) {
                match id {
                    IIM_RESOURCE => {
                        read_datasets(data, &mut metadata);
                        block = Some(data);
                    }
                    DIGEST_RESOURCE => digest = Some(data),
                    _ => {}
                }
            }
        }
    }
    let edited_after_xmp = match (block, digest) {
        (Some(block), Some(digest)) => Md5::digest(block).as_slice() != digest,
        _ => false,
    };
    let state = IimState {
        present: block.is_some(),
        edited_after_xmp,
    };
    (metadata, state)
}

/// Photoshop image resources: `8BIM`, id, a padded Pascal name, a size, padded data.
fn resources_of(mut bytes: &[u8]) -> Vec<(u16, &[u8])> {
    let mut found = Vec::new();
    while let Some(rest) = bytes.strip_prefix(b"8BIM") {
        let Some(&[a, b, name_len]) = rest.get(..3) else {
            break;
        };
        let id = u16::from_be_bytes([a, b]);
        // The name's length byte and text are padded to an even size together.
        let name_size = (1 + usize::from(name_len) + 1) & !1;
        let Some(size) = rest
            .get(2 + name_size..6 + name_size)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize)
        else {
            break;
        };
        let start = 6 + name_size;
        let Some(data) = rest.get(start..start.saturating_add(size)) else {
            break;
        };
        found.push((id, data));
        bytes = rest.get(start + ((size + 1) & !1)..).unwrap_or_default();
    }
    found
}

fn read_datasets(mut bytes: &[u8], metadata: &mut PhotoMetadata) {
    let mut utf8 = false;
    let mut fields: Vec<(u8, u8, &[u8])> = Vec::new();
    while let Some(&[0x1C, record, dataset, hi, lo]) = bytes.get(..5) {
        // Extended lengths (top bit set) are for binary data, never for these text fields.
        if hi & 0x80 != 0 {
            break;
        }
        let length = usize::from(u16::from_be_bytes([hi, lo]));
        let Some(value) = bytes.get(5..5 + length) else {
            break;
        };
        if (record, dataset) == (1, 90) {
            utf8 = value == b"\x1B%G";
        }
        fields.push((record, dataset, value));
        bytes = &bytes[5 + length..];
    }
    let text = |value: &[u8]| -> Option<String> {
        if utf8 {
            clean(&String::from_utf8_lossy(value))
        } else {
            clean(&value.iter().map(|&b| char::from(b)).collect::<String>())
        }
    };
    for (record, dataset, value) in fields {
        if record != 2 {
            continue;
        }
        let Some(value) = text(value) else { continue };
        match dataset {
            80 => metadata.creators.push(value),
            110 => metadata.credit = Some(value),
            115 => metadata.source = Some(value),
            116 => metadata.copyright = Some(value),
            120 => metadata.caption = Some(value),
            105 => metadata.headline = Some(value),
            25 => metadata.keywords.push(value),
            _ => {}
        }
    }
}
