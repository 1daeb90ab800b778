//! Renditions: a picture resized to the widths pages ask for, as JPEG. A rendition carries no
//! camera or location metadata — it is encoded afresh from pixels — but keeps the rights:
//! creator, credit, copyright, usage terms and web statement go into a small XMP packet.

use std::io::Cursor;

use image::DynamicImage;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;

use crate::metadata::PhotoMetadata;

const QUALITY: u8 = 82;

pub use byline_core::picture::{
    RENDITION_WIDTHS as WIDTHS, rendition_key as key_for, rendition_widths as widths_for,
};

/// The original's key stem and the width, when `key` names a rendition.
pub fn parse_key(key: &str) -> Option<(&str, u32)> {
    let (stem, width) = key.strip_suffix(".jpg")?.rsplit_once("-w")?;
    // Digits only, no sign or leading zero: one key per rendition.
    if width.is_empty() || width.starts_with('0') || !width.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let width: u32 = width.parse().ok()?;
    (width <= WIDTHS[WIDTHS.len() - 1]).then_some((stem, width))
}

/// Every rendition of a picture, widest first: the widest is made from the picture, the
/// narrower ones from the widest (a fraction of the work, and no visible difference).
pub fn make_all(image: &DynamicImage, rights: &PhotoMetadata) -> Vec<(u32, Vec<u8>)> {
    let mut widths = widths_for(image.width());
    widths.reverse();
    let widest = widths[0];
    let base = if widest == image.width() {
        image.clone()
    } else {
        let height = scaled_height(image, widest);
        image.resize_exact(widest, height, FilterType::Lanczos3)
    };
    widths
        .into_iter()
        .map(|w| (w, make(&base, w, rights)))
        .collect()
}

fn scaled_height(image: &DynamicImage, width: u32) -> u32 {
    (u64::from(image.height()) * u64::from(width) / u64::from(image.width().max(1))).max(1) as u32
}

/// The picture at `width` pixels wide (never wider than it is), as a JPEG carrying `rights`.
pub fn make(image: &DynamicImage, width: u32, rights: &PhotoMetadata) -> Vec<u8> {
    let width = width.min(image.width()).max(1);
    let height = scaled_height(image, width);
    let resized = if width == image.width() {
        image.to_rgb8()
    } else {
        image
            .resize_exact(width, height, FilterType::Lanczos3)
            .to_rgb8()
    };
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), QUALITY)
        .encode_image(&resized)
        .expect("encoding to memory");
    with_rights(jpeg, rights)
}

/// Inserts an XMP packet with the rights fields right after the JPEG's start marker.
fn with_rights(jpeg: Vec<u8>, rights: &PhotoMetadata) -> Vec<u8> {
    let packet = rights_packet(rights);
    if packet.is_empty() {
        return jpeg;
    }
    let mut segment = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    segment.extend_from_slice(packet.as_bytes());
    let Ok(length) = u16::try_from(segment.len() + 2) else {
        return jpeg;
    };
    let mut out = Vec::with_capacity(jpeg.len() + segment.len() + 4);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn rights_packet(rights: &PhotoMetadata) -> String {
    let mut properties = String::new();
    if !rights.creators.is_empty() {
        let items: String = rights
            .creators
            .iter()
            .map(|c| format!("<rdf:li>{}</rdf:li>", escape(c)))
            .collect();
        properties.push_str(&format!(
            "<dc:creator><rdf:Seq>{items}</rdf:Seq></dc:creator>"
        ));
    }
    let alt = |name: &str, value: &Option<String>| {
        value.as_ref().map_or(String::new(), |v| {
            format!(
                "<{name}><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></{name}>",
                escape(v)
            )
        })
    };
    let simple = |name: &str, value: &Option<String>| {
        value
            .as_ref()
            .map_or(String::new(), |v| format!("<{name}>{}</{name}>", escape(v)))
    };
    properties.push_str(&alt("dc:rights", &rights.copyright));
    properties.push_str(&alt("xmpRights:UsageTerms", &rights.usage_terms));
    properties.push_str(&simple("photoshop:Credit", &rights.credit));
    properties.push_str(&simple("photoshop:Source", &rights.source));
    properties.push_str(&simple("xmpRights:WebStatement", &rights.web_statement));
    if properties.is_empty() {
        return String::new();
    }
    format!(
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF \
         xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\" \
         xmlns:xmpRights=\"http://ns.adobe.com/xap/1.0/rights/\">{properties}</rdf:Description>\
         </rdf:RDF></x:xmpmeta>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;
    use crate::metadata::read_metadata;

    #[test]
    fn widths_never_exceed_the_picture_and_always_include_its_own() {
        assert_eq!(widths_for(1200), vec![320, 640, 960, 1200]);
        assert_eq!(widths_for(6000), WIDTHS.to_vec());
        assert_eq!(widths_for(200), vec![200]);
        assert_eq!(key_for("ab/cdef.png", 640), "ab/cdef-w640.jpg");
        assert_eq!(parse_key("ab/cdef-w640.jpg"), Some(("ab/cdef", 640)));
        assert_eq!(parse_key("ab/cdef-w1200.jpg"), Some(("ab/cdef", 1200)));
        assert_eq!(
            parse_key("ab/cdef-w4000.jpg"),
            None,
            "never wider than the widest"
        );
        assert_eq!(parse_key("ab/cdef-w0640.jpg"), None);
        assert_eq!(parse_key("ab/cdef.jpg"), None);
    }

    #[test]
    fn all_renditions_at_once_have_every_width() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::new(1500, 1000));
        let made = make_all(&image, &PhotoMetadata::default());
        let widths: Vec<u32> = made.iter().map(|(w, _)| *w).collect();
        assert_eq!(widths, vec![1500, 1280, 960, 640, 320]);
        for (width, jpeg) in made {
            let (_, decoded) = decode(&jpeg).unwrap();
            assert_eq!((decoded.width, decoded.height), (width, width * 2 / 3));
        }
    }

    #[test]
    fn a_rendition_keeps_the_rights_and_drops_the_camera() {
        let original = std::fs::read(format!(
            "{}/../../../shared/fixtures/photos/superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert!(original.windows(6).any(|w| w == b"Exif\0\0"));
        let (image, _) = decode(&original).unwrap();
        let rights = read_metadata(&original).unwrap();
        let small = make(&image, 320, &rights);
        let (_, decoded) = decode(&small).unwrap();
        assert_eq!((decoded.width, decoded.height), (320, 160));
        assert!(
            !small.windows(6).any(|w| w == b"Exif\0\0"),
            "no EXIF (camera, GPS)"
        );
        let kept = read_metadata(&small).unwrap();
        assert_eq!(kept.creators, rights.creators);
        assert_eq!(kept.credit, rights.credit);
        assert_eq!(kept.copyright, rights.copyright);
        assert_eq!(kept.usage_terms, rights.usage_terms);
        assert_eq!(kept.caption, None, "only the rights travel");
        assert_eq!(kept.credit_line(), rights.credit_line());
    }
}
