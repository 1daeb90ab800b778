//! An uploaded or imported picture is accepted only once it decodes: the format is read from
//! the bytes, the pixel count is checked before any pixel is decoded (a small file can claim
//! enormous dimensions), and the whole image is then decoded, so a truncated or damaged file
//! is refused rather than stored.

use std::io::Cursor;

use image::{ImageDecoder, ImageFormat, ImageReader, Limits};

/// A decoded picture, upright.
pub use image::DynamicImage;

/// Largest file accepted.
pub const MAX_BYTES: usize = 25 * 1024 * 1024;
/// Most pixels accepted: a 60-megapixel camera's frame, with room to spare for panoramas.
pub const MAX_PIXELS: u64 = 80_000_000;
/// Longest side accepted.
const MAX_SIDE: u32 = 30_000;

/// What a picture turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    /// As it is meant to be seen (after its EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub content_type: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is {0} MB; the largest accepted is 25 MB")]
    TooLarge(usize),
    #[error("the file is not a JPEG, PNG, GIF or WebP picture")]
    NotAPicture,
    #[error("the picture claims {width} × {height} pixels, more than the {} million accepted", MAX_PIXELS / 1_000_000)]
    TooManyPixels { width: u32, height: u32 },
    #[error(
        "the picture is larger than {MAX_SIDE} pixels on a side or needs too much memory to decode"
    )]
    OverLimits,
    #[error("the picture is damaged or cut short: {0}")]
    Damaged(String),
}

/// Decodes `bytes` completely, within the limits above, and returns the picture upright.
pub fn decode(bytes: &[u8]) -> Result<(image::DynamicImage, Decoded), DecodeError> {
    if bytes.len() > MAX_BYTES {
        return Err(DecodeError::TooLarge(bytes.len().div_ceil(1024 * 1024)));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError::Damaged(e.to_string()))?;
    let content_type = match reader.format() {
        Some(ImageFormat::Jpeg) => "image/jpeg",
        Some(ImageFormat::Png) => "image/png",
        Some(ImageFormat::Gif) => "image/gif",
        Some(ImageFormat::WebP) => "image/webp",
        _ => return Err(DecodeError::NotAPicture),
    };
    if content_type == "image/jpeg" && !crate::metadata::jpeg::is_complete(bytes) {
        return Err(DecodeError::Damaged(
            "the JPEG ends before its image data does".into(),
        ));
    }
    // The header's claim is checked before the decoder reads further.
    if let Some((width, height)) = declared_dimensions(bytes)
        && u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(DecodeError::TooManyPixels { width, height });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 8);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => DecodeError::OverLimits,
        other => DecodeError::Damaged(other.to_string()),
    })?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width == 0 || height == 0 {
        return Err(DecodeError::TooManyPixels { width, height });
    }
    let orientation = decoder
        .orientation()
        .map_err(|e| DecodeError::Damaged(e.to_string()))?;
    let mut image = image::DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => DecodeError::TooManyPixels { width, height },
        other => DecodeError::Damaged(other.to_string()),
    })?;
    image.apply_orientation(orientation);
    let decoded = Decoded {
        width: image.width(),
        height: image.height(),
        content_type,
    };
    Ok((image, decoded))
}

/// Width and height from the image header, for JPEG, PNG, GIF and WebP.
pub fn declared_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| {
        bytes
            .get(i..i + 2)
            .map(|b| u32::from(u16::from_be_bytes([b[0], b[1]])))
    };
    let le16 = |i: usize| {
        bytes
            .get(i..i + 2)
            .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let be32 = |i: usize| {
        bytes
            .get(i..i + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    match image::guess_format(bytes).ok()? {
        ImageFormat::Png => Some((be32(16)?, be32(20)?)),
        ImageFormat::Gif => Some((le16(6)?, le16(8)?)),
        ImageFormat::Jpeg => {
            // Walk the segments to the first start-of-frame marker.
            let mut i = 2;
            while i + 9 < bytes.len() {
                if bytes[i] != 0xFF {
                    return None;
                }
                let marker = bytes[i + 1];
                let is_frame =
                    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if is_frame {
                    return Some((be16(i + 7)?, be16(i + 5)?));
                }
                i += 2 + be16(i + 2)? as usize;
            }
            None
        }
        ImageFormat::WebP => match bytes.get(12..16)? {
            b"VP8X" => {
                let le24 = |i: usize| {
                    bytes
                        .get(i..i + 3)
                        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], 0]))
                };
                Some((le24(24)? + 1, le24(27)? + 1))
            }
            b"VP8 " => Some((le16(26)? & 0x3FFF, le16(28)? & 0x3FFF)),
            b"VP8L" => {
                let b = bytes.get(21..25)?;
                let bits = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
            }
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../../shared/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn real_photos_decode_upright_with_their_size() {
        let (_, decoded) = decode(&fixture("seed/lead-photo.jpg")).unwrap();
        assert_eq!(
            decoded,
            Decoded {
                width: 1200,
                height: 675,
                content_type: "image/jpeg"
            }
        );
        let (_, reference) = decode(&fixture(
            "fixtures/photos/superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg",
        ))
        .unwrap();
        assert_eq!((reference.width, reference.height), (1000, 500));
    }

    #[test]
    fn text_truncation_bombs_and_huge_files_are_refused() {
        assert_eq!(
            decode(b"<html>not a picture</html>").unwrap_err(),
            DecodeError::NotAPicture
        );
        let photo = fixture("seed/lead-photo.jpg");
        assert!(matches!(
            decode(&photo[..photo.len() / 2]).unwrap_err(),
            DecodeError::Damaged(_)
        ));
        // PNG headers claiming 100,000² and 20,000² pixels in a few dozen bytes.
        assert_eq!(
            decode(&png_claiming(100_000, 100_000)).unwrap_err(),
            DecodeError::TooManyPixels {
                width: 100_000,
                height: 100_000
            }
        );
        assert_eq!(
            decode(&png_claiming(20_000, 20_000)).unwrap_err(),
            DecodeError::TooManyPixels {
                width: 20_000,
                height: 20_000
            }
        );
        assert_eq!(
            decode(&vec![0u8; MAX_BYTES + 1]).unwrap_err(),
            DecodeError::TooLarge(26)
        );
    }

    /// A PNG signature and a valid IHDR chunk for `width` × `height` RGB pixels, and no data.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut chunk = b"IHDR".to_vec();
        chunk.extend_from_slice(&width.to_be_bytes());
        chunk.extend_from_slice(&height.to_be_bytes());
        chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
        let crc = !chunk.iter().fold(!0u32, |crc, &byte| {
            (0..8).fold(crc ^ u32::from(byte), |c, _| {
                if c & 1 == 1 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                }
            })
        });
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\r".to_vec();
        png.extend_from_slice(&chunk);
        png.extend_from_slice(&crc.to_be_bytes());
        png
    }

    #[test]
    fn sixteen_bit_and_grey_pictures_decode() {
        let mut png = Vec::new();
        let image = image::DynamicImage::ImageRgb16(image::ImageBuffer::new(4, 3));
        image
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        assert_eq!(decode(&png).unwrap().1.width, 4);
    }
}
