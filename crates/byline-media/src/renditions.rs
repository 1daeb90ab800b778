//! Renditions: a picture resized to the widths pages ask for, whole and cropped to 16:9, 4:3
//! and 1:1 around its focus, as JPEG and WebP. A rendition carries no camera or location
//! metadata — it is encoded afresh from pixels — but keeps the rights: creator, credit,
//! copyright, usage terms and web statement go into a small XMP packet.

use std::io::Cursor;

use byline_core::picture::{Crop, Focus, Format, Rendition, Shape};
use image::DynamicImage;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;

use crate::metadata::PhotoMetadata;

const JPEG_QUALITY: u8 = 82;
const WEBP_QUALITY: f32 = 78.0;

pub use byline_core::picture::{
    RENDITION_WIDTHS as WIDTHS, rendition_key as key_for, rendition_widths as widths_for,
};

/// Every rendition of a picture whose crops keep `focus` in view, with its bytes. The widest
/// whole rendition is made from the picture and everything else from it (a fraction of the
/// work, and no visible difference), unless a crop needs more pixels than it has.
pub fn make_all(
    image: &DynamicImage,
    focus: Focus,
    rights: &PhotoMetadata,
) -> Vec<(Rendition, Vec<u8>)> {
    let widest = widths_for(image.width()).last().copied().unwrap_or(1);
    let base = if widest == image.width() {
        image.clone()
    } else {
        image.resize_exact(widest, scaled_height(image, widest), FilterType::Lanczos3)
    };
    let packet = rights_packet(rights);
    let mut made = Vec::new();
    let shapes = std::iter::once(Shape::Original)
        .chain(Crop::ALL.into_iter().map(|c| Shape::Crop(c, focus)));
    for shape in shapes {
        let mut widths = shape.widths(image.width(), image.height());
        widths.reverse();
        let Some(&largest) = widths.first() else {
            continue;
        };
        let source = shaped(&base, shape);
        let source = if source.width() >= largest {
            source
        } else {
            shaped(image, shape)
        };
        for width in widths {
            let pixels = resized(&source, shape, width);
            for format in Format::ALL {
                let rendition = Rendition {
                    shape,
                    width,
                    format,
                };
                made.push((rendition, encode(&pixels, format, &packet)));
            }
        }
    }
    made
}

/// One rendition of the picture, if it is one the picture has (a width it offers, in that
/// shape); used for a rendition asked for before its job has made it.
pub fn make(image: &DynamicImage, rendition: Rendition, rights: &PhotoMetadata) -> Option<Vec<u8>> {
    if !rendition
        .shape
        .widths(image.width(), image.height())
        .contains(&rendition.width)
    {
        return None;
    }
    let source = shaped(image, rendition.shape);
    let pixels = resized(&source, rendition.shape, rendition.width);
    Some(encode(&pixels, rendition.format, &rights_packet(rights)))
}

/// The part of `image` a shape shows.
fn shaped(image: &DynamicImage, shape: Shape) -> DynamicImage {
    match shape {
        Shape::Original => image.clone(),
        Shape::Crop(crop, focus) => {
            let r = crop.region(image.width(), image.height(), focus);
            image.crop_imm(r.x, r.y, r.width, r.height)
        }
    }
}

/// `source` at `width` pixels wide; a crop keeps its exact ratio, so pages can size its box.
fn resized(source: &DynamicImage, shape: Shape, width: u32) -> image::RgbImage {
    let width = width.min(source.width()).max(1);
    let height = match shape {
        Shape::Original => scaled_height(source, width),
        Shape::Crop(crop, _) => {
            let (rw, rh) = crop.ratio();
            (u64::from(width) * u64::from(rh) / u64::from(rw)).max(1) as u32
        }
    };
    if (width, height) == (source.width(), source.height()) {
        source.to_rgb8()
    } else {
        source
            .resize_exact(width, height, FilterType::Lanczos3)
            .to_rgb8()
    }
}

fn scaled_height(image: &DynamicImage, width: u32) -> u32 {
    (u64::from(image.height()) * u64::from(width) / u64::from(image.width().max(1))).max(1) as u32
}

fn encode(pixels: &image::RgbImage, format: Format, packet: &str) -> Vec<u8> {
    match format {
        Format::Jpeg => {
            let mut jpeg = Vec::new();
            JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), JPEG_QUALITY)
                .encode_image(pixels)
                .expect("encoding to memory");
            jpeg_with_rights(jpeg, packet)
        }
        Format::Webp => {
            let webp = webp::Encoder::from_rgb(pixels.as_raw(), pixels.width(), pixels.height())
                .encode(WEBP_QUALITY);
            webp_with_rights(&webp, packet, pixels.width(), pixels.height())
        }
    }
}

/// A lossy WebP (`RIFF…WEBPVP8 …`) in the extended format, with the rights packet as its XMP
/// chunk; unchanged when there is no packet.
fn webp_with_rights(webp: &[u8], packet: &str, width: u32, height: u32) -> Vec<u8> {
    if packet.is_empty() || webp.len() < 12 {
        return webp.to_vec();
    }
    let chunk = |name: &[u8; 4], data: &[u8]| {
        let mut out = name.to_vec();
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
        out
    };
    // Flags: XMP present (bit 2); then the canvas size less one, 24 bits each.
    let mut header = vec![0x04, 0, 0, 0];
    header.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    header.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &header));
    body.extend_from_slice(&webp[12..]);
    body.extend(chunk(b"XMP ", packet.as_bytes()));
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// Inserts the XMP packet right after the JPEG's start marker.
fn jpeg_with_rights(jpeg: Vec<u8>, packet: &str) -> Vec<u8> {
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

    fn fixture() -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../../shared/fixtures/photos/superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn all_renditions_at_once_have_every_width_shape_and_format() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::new(1500, 1000));
        let made = make_all(&image, Focus::new(200, 500), &PhotoMetadata::default());
        assert_eq!(made.len(), 2 * (5 + 4 + 4 + 4));
        for (rendition, bytes) in made {
            let (_, decoded) = decode(&bytes).unwrap();
            assert_eq!(decoded.content_type, rendition.format.content_type());
            assert_eq!(decoded.width, rendition.width, "{rendition:?}");
            let expected_height = match rendition.shape {
                Shape::Original => rendition.width * 2 / 3,
                Shape::Crop(crop, _) => {
                    let (rw, rh) = crop.ratio();
                    rendition.width * rh / rw
                }
            };
            assert_eq!(decoded.height, expected_height, "{rendition:?}");
        }
    }

    #[test]
    fn a_crop_shows_the_part_around_the_focus() {
        // Left half black, right half white: a square crop focused right is white.
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(1000, 500, |x, _| {
            if x < 500 {
                image::Rgb([0, 0, 0])
            } else {
                image::Rgb([255, 255, 255])
            }
        }));
        let square = |x| Rendition {
            shape: Shape::Crop(Crop::Square, Focus::new(x, 500)),
            width: 320,
            format: Format::Jpeg,
        };
        let brightness = |bytes: Vec<u8>| {
            let (pixels, _) = decode(&bytes).unwrap();
            let rgb = pixels.to_rgb8();
            rgb.pixels().map(|p| u64::from(p[0])).sum::<u64>()
                / u64::from(rgb.width() * rgb.height())
        };
        let none = PhotoMetadata::default();
        assert!(brightness(make(&image, square(1000), &none).unwrap()) > 240);
        assert!(brightness(make(&image, square(0), &none).unwrap()) < 15);
        let too_wide = Rendition {
            width: 640,
            ..square(0)
        };
        assert_eq!(
            make(&image, too_wide, &none),
            None,
            "a 500 px square has no 640"
        );
    }

    #[test]
    fn a_rendition_keeps_the_rights_and_drops_the_camera() {
        let original = fixture();
        assert!(original.windows(6).any(|w| w == b"Exif\0\0"));
        let (image, _) = decode(&original).unwrap();
        let rights = read_metadata(&original).unwrap();
        for format in Format::ALL {
            let small = Rendition {
                shape: Shape::Original,
                width: 320,
                format,
            };
            let small = make(&image, small, &rights).unwrap();
            let (_, decoded) = decode(&small).unwrap();
            assert_eq!((decoded.width, decoded.height), (320, 160));
            assert_eq!(decoded.content_type, format.content_type());
            assert!(
                !small.windows(6).any(|w| w == b"Exif\0\0"),
                "no EXIF (camera, GPS)"
            );
            let kept = read_metadata(&small).unwrap();
            assert_eq!(kept.creators, rights.creators, "{format:?}");
            assert_eq!(kept.credit, rights.credit);
            assert_eq!(kept.copyright, rights.copyright);
            assert_eq!(kept.usage_terms, rights.usage_terms);
            assert_eq!(kept.caption, None, "only the rights travel");
            assert_eq!(kept.credit_line(), rights.credit_line());
        }
    }
}
