//! The segments of a JPEG up to its image data: marker and payload, bounds-checked.

use super::MetadataError;

/// One marker segment: `0xE1` for APP1, `0xED` for APP13, …
pub(super) struct Segment<'a> {
    pub marker: u8,
    pub data: &'a [u8],
}

/// The segments before the image data (start of scan), in file order.
pub(super) fn segments(bytes: &[u8]) -> Result<Vec<Segment<'_>>, MetadataError> {
    walk(bytes).map(|(segments, _)| segments)
}

/// Whether the JPEG's image data runs to its end-of-image marker: a file cut short has none
/// after its first scan (marker bytes cannot occur inside the compressed data).
pub(crate) fn is_complete(bytes: &[u8]) -> bool {
    match walk(bytes) {
        Ok((_, scan)) => bytes
            .get(scan..)
            .is_some_and(|data| data.windows(2).any(|w| w == [0xFF, 0xD9])),
        Err(_) => false,
    }
}

/// The segments, and where the image data starts (just after the start-of-scan marker).
fn walk(bytes: &[u8]) -> Result<(Vec<Segment<'_>>, usize), MetadataError> {
    let mut found = Vec::new();
    let mut at = 2;
    loop {
        if at >= bytes.len() {
            return Err(MetadataError::Truncated(at));
        }
        if bytes[at] != 0xFF {
            return Err(MetadataError::BadSegment(at));
        }
        // Any number of fill bytes may precede a marker.
        while at < bytes.len() && bytes[at] == 0xFF {
            at += 1;
        }
        let Some(&marker) = bytes.get(at) else {
            return Err(MetadataError::Truncated(at));
        };
        at += 1;
        match marker {
            // Start of scan or end of image: no metadata follows.
            0xDA | 0xD9 => return Ok((found, at)),
            // Markers without a length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let length = bytes
            .get(at..at + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            .ok_or(MetadataError::Truncated(at))?;
        if length < 2 {
            return Err(MetadataError::BadSegment(at));
        }
        let data = bytes
            .get(at + 2..at + length)
            .ok_or(MetadataError::Truncated(at))?;
        found.push(Segment { marker, data });
        at += length;
    }
}
