//! A post's featured image, from the attachment item WordPress exported for it.

use std::path::PathBuf;

use super::{Item, Ns};
use crate::ninjs::{RenditionHref, WirePicture};
use crate::php::{Php, unserialize};

/// A featured image: its file (from the uploads copy when given), the caption WordPress keeps
/// as the attachment's excerpt (else its description), its alt text, and the credit, caption
/// and size WordPress read from the file into `_wp_attachment_metadata`.
/// `None` for an attachment that is not a picture (a PDF, a sound).
pub(super) fn featured(attachment: &Item, uploads: Option<&PathBuf>) -> Option<WirePicture> {
    if attachment
        .get(Ns::Wp, "post_mime_type")
        .is_some_and(|mime| !mime.starts_with("image/"))
    {
        return None;
    }
    let url = attachment
        .get(Ns::Wp, "attachment_url")
        .or_else(|| attachment.get(Ns::None, "guid"))?;
    let metadata = attachment
        .meta
        .get("_wp_attachment_metadata")
        .and_then(|m| unserialize(m));
    let image_meta = metadata.as_ref().and_then(|m| m.get("image_meta"));
    let from_meta = |key: &str| image_meta.and_then(|m| m.get(key)).and_then(Php::text);
    let href = match (uploads, url.split_once("/wp-content/uploads/")) {
        (Some(folder), Some((_, path))) => RenditionHref::InFolder {
            folder: folder.clone(),
            path: path.to_owned(),
        },
        _ if url.starts_with("https://") || url.starts_with("http://") => {
            RenditionHref::Remote(url.to_owned())
        }
        _ => return None,
    };
    let dimension = |key: &str| {
        metadata
            .as_ref()
            .and_then(|m| m.get(key))
            .and_then(Php::dimension)
    };
    Some(WirePicture {
        href,
        credit: from_meta("credit"),
        caption: attachment
            .get(Ns::Excerpt, "encoded")
            .or_else(|| attachment.get(Ns::Content, "encoded"))
            .map(str::to_owned)
            .or_else(|| from_meta("caption")),
        alt: attachment
            .meta
            .get("_wp_attachment_image_alt")
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty()),
        width: dimension("width"),
        height: dimension("height"),
        content_type: attachment.get(Ns::Wp, "post_mime_type").map(str::to_owned),
    })
}
