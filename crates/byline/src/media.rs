//! The local media store: pictures kept under `DATA/media/` by the hash of their content.
//!
//! A key is `ab/abcdef….ext`: content-addressed, so a stored file never changes and can be
//! cached forever, and storing the same picture twice costs nothing.

use std::path::{Component, Path};

use axum::body::Bytes;
use byline_core::library::LibraryStore;
use byline_core::{Focus, Rendition};
use byline_media::MediaStore;
use sha2::{Digest, Sha256};

/// What a picture file is, recognised from its first bytes (never from its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageKind {
    pub extension: &'static str,
    pub content_type: &'static str,
}

const KINDS: &[(&[u8], usize, ImageKind)] = &[
    (
        b"\xFF\xD8\xFF",
        0,
        ImageKind {
            extension: "jpg",
            content_type: "image/jpeg",
        },
    ),
    (
        b"\x89PNG\r\n\x1a\n",
        0,
        ImageKind {
            extension: "png",
            content_type: "image/png",
        },
    ),
    (
        b"GIF8",
        0,
        ImageKind {
            extension: "gif",
            content_type: "image/gif",
        },
    ),
    (
        b"WEBP",
        8,
        ImageKind {
            extension: "webp",
            content_type: "image/webp",
        },
    ),
    (
        b"ftypavif",
        4,
        ImageKind {
            extension: "avif",
            content_type: "image/avif",
        },
    ),
];

const SVG: ImageKind = ImageKind {
    extension: "svg",
    content_type: "image/svg+xml",
};

/// The kind of raster image `bytes` hold, if any.
pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    KINDS
        .iter()
        .find(|(magic, at, _)| bytes.get(*at..at + magic.len()) == Some(*magic))
        .map(|(_, _, kind)| *kind)
}

/// Width and height from the image header, for JPEG, PNG, GIF and WebP.
pub use byline_media::decode::declared_dimensions as dimensions;

/// The key a raster picture would be stored under, without storing it.
pub fn image_key(bytes: &[u8]) -> Result<String, MediaError> {
    let kind = sniff(bytes).ok_or(MediaError::NotAnImage)?;
    Ok(key_of(bytes, kind))
}

/// Stores a raster picture after checking what it is; returns its key and kind.
pub async fn store_image(
    media: &MediaStore,
    bytes: &[u8],
) -> Result<(String, ImageKind), MediaError> {
    let kind = sniff(bytes).ok_or(MediaError::NotAnImage)?;
    Ok((store(media, bytes, kind).await?, kind))
}

/// Stores an SVG picture that Byline itself generated (never one from outside).
pub async fn store_generated_svg(media: &MediaStore, svg: &str) -> Result<String, MediaError> {
    store(media, svg.as_bytes(), SVG).await
}

/// `ab/abcdef….EXT`: the first 16 bytes of the content's SHA-256, in hex.
fn key_of(bytes: &[u8], kind: ImageKind) -> String {
    let hash: String = Sha256::digest(bytes)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}/{hash}.{}", &hash[..2], kind.extension)
}

async fn store(media: &MediaStore, bytes: &[u8], kind: ImageKind) -> Result<String, MediaError> {
    let key = key_of(bytes, kind);
    media
        .put(&key, bytes.to_vec())
        .await
        .map_err(|e| MediaError::Write(e.to_string()))?;
    Ok(key)
}

/// The longest a reader's request waits for a free slot to make a rendition.
const RENDITION_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The library's picture whose file is `stem` with one of the raster extensions, and its key.
async fn original_of(
    library: &dyn LibraryStore,
    stem: &str,
) -> Result<Option<(String, byline_core::Picture)>, MediaError> {
    let found = library
        .picture_of_stem(stem, &["jpg", "png", "gif", "webp"])
        .await
        .map_err(|e| MediaError::Read(e.to_string()))?;
    Ok(found.and_then(|picture| match &picture.source {
        byline_core::PictureSource::Local { key } => Some((key.clone(), picture)),
        byline_core::PictureSource::Remote { .. } => None,
    }))
}

/// A rendition pages offer, read from the media store or, on its first request (the job has
/// not run yet), made from the original in one of the slots the rendition worker uses too. A
/// rendition no page offers (another width, a crop around another focus, a picture the
/// library lacks) is `None` before any file is read, so nobody can make the server decode
/// pictures or fill the store by asking for made-up sizes.
async fn rendition(
    media: &MediaStore,
    library: &dyn LibraryStore,
    slots: &tokio::sync::Semaphore,
    key: &str,
    (stem, rendition): (&str, Rendition),
) -> Result<Option<Bytes>, MediaError> {
    let Some((original, picture)) = original_of(library, stem).await? else {
        return Ok(None);
    };
    if !picture.offers(rendition) {
        return Ok(None);
    }
    if let Some(bytes) = media.get(key).await.map_err(read_error)? {
        return Ok(Some(bytes));
    }
    let _slot = tokio::time::timeout(RENDITION_WAIT, slots.acquire())
        .await
        .map_err(|_| MediaError::Busy)?
        .map_err(read_error)?;
    // Made by another request or the worker while this one waited.
    if let Some(bytes) = media.get(key).await.map_err(read_error)? {
        return Ok(Some(bytes));
    }
    let Some(bytes) = media.get(&original).await.map_err(read_error)? else {
        return Ok(None);
    };
    let made = tokio::task::spawn_blocking(move || {
        let (image, _) = byline_media::decode::decode(&bytes).ok()?;
        let rights = byline_media::metadata::read_metadata(&bytes).unwrap_or_default();
        byline_media::renditions::make(&image, rendition, &rights)
    })
    .await
    .map_err(read_error)?;
    let Some(made) = made else { return Ok(None) };
    media
        .put(key, made.clone())
        .await
        .map_err(|e| MediaError::Write(e.to_string()))?;
    Ok(Some(Bytes::from(made)))
}

fn read_error(e: impl std::fmt::Display) -> MediaError {
    MediaError::Read(e.to_string())
}

/// Makes every rendition of the picture stored under `key`, whole and cropped around `focus`,
/// in a blocking thread, and stores them; files already there are kept.
pub async fn make_renditions(
    media: &MediaStore,
    key: &str,
    focus: Focus,
) -> Result<usize, MediaError> {
    let original = media
        .get(key)
        .await
        .map_err(read_error)?
        .ok_or_else(|| MediaError::Read(format!("{key} is not in the media store")))?;
    let made = tokio::task::spawn_blocking(move || {
        let (image, _) =
            byline_media::decode::decode(&original).map_err(|e| MediaError::Read(e.to_string()))?;
        let rights = byline_media::metadata::read_metadata(&original).unwrap_or_default();
        Ok::<_, MediaError>(byline_media::renditions::make_all(&image, focus, &rights))
    })
    .await
    .map_err(read_error)??;
    let count = made.len();
    for (rendition, bytes) in made {
        media
            .put(&rendition.key(key), bytes)
            .await
            .map_err(|e| MediaError::Write(e.to_string()))?;
    }
    Ok(count)
}

/// Reads a picture readers may see, by key, with its content type: a rendition (made now if it
/// is missing) or a picture Byline drew itself (SVG). A raster original is never served — it
/// may carry camera and location data — and unknown or malformed keys are `None`.
pub async fn read(
    media: &MediaStore,
    library: &dyn LibraryStore,
    slots: &tokio::sync::Semaphore,
    key: &str,
) -> Result<Option<(Bytes, &'static str)>, MediaError> {
    let well_formed = key.len() < 200
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_'))
        && Path::new(key).components().all(
            |c| matches!(c, Component::Normal(name) if !name.to_string_lossy().starts_with('.')),
        );
    if !well_formed {
        return Ok(None);
    }
    if let Some(parsed) = Rendition::parse(key) {
        let bytes = rendition(media, library, slots, key, parsed).await?;
        return Ok(bytes.map(|b| (b, parsed.1.format.content_type())));
    }
    if key.ends_with(".svg") {
        let bytes = media.get(key).await.map_err(read_error)?;
        return Ok(bytes.map(|b| (b, SVG.content_type)));
    }
    Ok(None)
}

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("the file is not a JPEG, PNG, GIF, WebP or AVIF image")]
    NotAnImage,
    #[error("cannot write the picture: {0}")]
    Write(String),
    #[error("cannot read the picture: {0}")]
    Read(String),
    #[error("every slot for making pictures is busy")]
    Busy,
}

/// The rights a picture's file states, kept for structured data: links only when they are
/// web addresses (agencies put all sorts of text in the Licensor URL field).
pub fn rights_of(metadata: &byline_media::metadata::PhotoMetadata) -> byline_core::Rights {
    let web = |text: &str| {
        let text = text.trim();
        (text.starts_with("https://") || text.starts_with("http://"))
            .then(|| text.to_owned())
            .filter(|t| t.len() <= 2048 && !t.chars().any(char::is_whitespace))
    };
    let creators: Vec<&str> = metadata
        .creators
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    byline_core::Rights {
        creator: (!creators.is_empty()).then(|| creators.join(", ")),
        copyright: metadata.copyright.clone().filter(|c| !c.trim().is_empty()),
        license_url: metadata.web_statement.as_deref().and_then(web),
        licensor_url: metadata.licensor_urls.iter().find_map(|u| web(u)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use byline_core::Shape;
    use byline_core::library::Describing;

    fn seed_photo() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/seed/lead-photo.jpg"
        ))
        .unwrap()
    }

    #[test]
    fn recognises_pictures_by_content() {
        let jpeg = seed_photo();
        assert_eq!(sniff(&jpeg).unwrap().content_type, "image/jpeg");
        assert_eq!(dimensions(&jpeg), Some((1200, 675)));
        assert_eq!(sniff(b"<html>not a picture</html>"), None);
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(dimensions(&png), Some((640, 480)));
        assert_eq!(dimensions(b"GIF89a\x10\x00\x20\x00"), Some((16, 32)));
    }

    #[tokio::test]
    async fn stores_by_content_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaStore::local(&dir.path().join("media")).unwrap();
        let store = byline_store_sqlite::SqliteStore::open(&dir.path().join("byline.db"))
            .await
            .unwrap();
        let slots = tokio::sync::Semaphore::new(1);
        let read = |key: String| {
            let (media, store, slots) = (media.clone(), &store, &slots);
            async move { read(&media, store, slots, &key).await }
        };
        let jpeg = seed_photo();
        let (key, kind) = store_image(&media, &jpeg).await.unwrap();
        assert_eq!(kind.extension, "jpg");
        assert_eq!(
            store_image(&media, &jpeg).await.unwrap().0,
            key,
            "same content, same key"
        );
        assert!(
            read(key.clone()).await.unwrap().is_none(),
            "a raster original is never served"
        );
        assert_eq!(media.get(&key).await.unwrap().unwrap().to_vec(), jpeg);
        let rendition = byline_media::renditions::key_for(&key, 640);
        let reads = media.reads();
        assert!(
            read(rendition.clone()).await.unwrap().is_none(),
            "a picture the library does not have"
        );
        assert_eq!(media.reads(), reads, "refused before any file is read");
        let mut picture =
            byline_core::Picture::at(byline_core::PictureSource::Local { key: key.clone() });
        (picture.width, picture.height) = (Some(1200), Some(675));
        picture.content_type = Some("image/jpeg".into());
        picture.focus = Focus::new(300, 500);
        store
            .add_picture(&picture, Describing::Desk, chrono::Utc::now())
            .await
            .unwrap();
        let unoffered = byline_media::renditions::key_for(&key, 700);
        let reads = media.reads();
        assert!(read(unoffered).await.unwrap().is_none(), "not a width made");
        assert_eq!(media.reads(), reads, "refused before any file is read");
        let (bytes, content_type) = read(rendition).await.unwrap().unwrap();
        assert_eq!(content_type, "image/jpeg");
        assert_eq!(byline_media::decode::decode(&bytes).unwrap().1.width, 640);
        let too_wide = byline_media::renditions::key_for(&key, 2048);
        assert!(
            read(too_wide).await.unwrap().is_none(),
            "no rendition wider than the picture"
        );
        let square = |focus: Focus| Rendition {
            shape: Shape::Crop(byline_core::Crop::Square, focus),
            width: 320,
            format: byline_core::Format::Webp,
        };
        let centred = square(Focus::default()).key(&key);
        assert!(
            read(centred).await.unwrap().is_none(),
            "a crop around another focus than the picture's"
        );
        let (bytes, content_type) = read(square(picture.focus).key(&key))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(content_type, "image/webp");
        let (_, decoded) = byline_media::decode::decode(&bytes).unwrap();
        assert_eq!((decoded.width, decoded.height), (320, 320));
        assert!(matches!(
            store_image(&media, b"text").await,
            Err(MediaError::NotAnImage)
        ));
        for bad in [
            "../byline.db",
            "/etc/passwd",
            "ab/../../x.jpg",
            "a b.jpg",
            "x.exe",
            ".health-probe",
        ] {
            assert!(read(bad.into()).await.unwrap().is_none(), "{bad}");
        }
    }
}
