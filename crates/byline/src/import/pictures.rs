//! Pictures an import brings: a story's lead photo or a library picture from the source's
//! files (checked by decoding, stored by content) or linked where it lives, and the pictures a
//! body shows, copied and pointed at.

use std::path::{Component, Path};

use byline_core::{Picture, PictureSource};
use byline_import::{RenditionHref, WirePicture, WireStory};
use byline_media::decode::decode;
use byline_media::metadata::read_metadata;

use super::ImportOptions;
use crate::media;

/// Largest picture file an import copies.
const MAX_PICTURE_BYTES: u64 = 25 * 1024 * 1024;

/// Copies the pictures a body shows from the source's files into the media store and points
/// the body at the copies; one that cannot be copied stays as it is, with a warning.
pub(super) async fn copy_body_pictures(
    file: &Path,
    at: &str,
    item: &mut WireStory,
    options: &ImportOptions,
    warnings: &mut Vec<String>,
) {
    let byline_core::RawBody::Html(html) = &mut item.body else {
        return;
    };
    for (src, href) in std::mem::take(&mut item.body_pictures) {
        let wanted = WirePicture {
            href,
            credit: None,
            caption: None,
            alt: None,
            width: None,
            height: None,
            content_type: None,
        };
        match resolve_picture(file, &wanted, options).await {
            Ok(picture) => {
                *html = html.replace(
                    &format!("src=\"{src}\""),
                    &format!("src=\"{}\"", picture.url()),
                );
            }
            Err(why) => warnings.push(format!(
                "{at}: a picture in its body ({src}) was not copied: {why}"
            )),
        }
    }
}

/// Copies a relative rendition into the media store (checking it is a picture) or keeps a
/// remote URL as it is.
pub(super) async fn resolve_picture(
    file: &Path,
    picture: &WirePicture,
    options: &ImportOptions,
) -> Result<Picture, String> {
    let mut from_file = None;
    let (source, width, height, content_type) = match &picture.href {
        RenditionHref::Remote(url) => (
            PictureSource::Remote { url: url.clone() },
            picture.width,
            picture.height,
            picture.content_type.clone(),
        ),
        RenditionHref::Relative(href) | RenditionHref::InFolder { path: href, .. } => {
            let relative = Path::new(href);
            // A wire item may only point at files beside it, never elsewhere on the disk.
            if !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
            {
                return Err(format!("{href:?} points outside the item's folder"));
            }
            let folder = match &picture.href {
                RenditionHref::InFolder { folder, .. } => folder.as_path(),
                _ => file.parent().unwrap_or(Path::new(".")),
            };
            let path = folder.join(relative);
            // Nor through a symbolic link that leads elsewhere.
            let inside = match (path.canonicalize(), folder.canonicalize()) {
                (Ok(real), Ok(folder)) => real.starts_with(folder),
                _ => true, // a missing file is named by the read below
            };
            if !inside {
                return Err(format!(
                    "{} links to outside the item's folder",
                    path.display()
                ));
            }
            let size = std::fs::metadata(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .len();
            if size > MAX_PICTURE_BYTES {
                return Err(format!("{} is larger than 25 MB", path.display()));
            }
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            // Only a picture that decodes completely is kept.
            let (_, decoded) = decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            from_file = read_metadata(&bytes).ok();
            let key = if options.dry_run {
                media::image_key(&bytes)
            } else {
                media::store_image(&options.media, &bytes)
                    .await
                    .map(|(key, _)| key)
            }
            .map_err(|e| format!("{}: {e}", path.display()))?;
            (
                PictureSource::Local { key },
                Some(decoded.width),
                Some(decoded.height),
                Some(decoded.content_type.to_owned()),
            )
        }
    };
    // The item's own credit and caption win; what it lacks comes from the file.
    let from_file = from_file.unwrap_or_default();
    let rights = crate::media::rights_of(&from_file);
    Ok(Picture {
        source,
        credit: picture
            .credit
            .clone()
            .or_else(|| options.credit_pattern.apply(&from_file)),
        caption: picture.caption.clone().or(from_file.caption),
        alt: picture.alt.clone().or(from_file.alt_text),
        width,
        height,
        content_type,
        rights,
        keywords: from_file.keywords,
        focus: Default::default(),
    })
}
