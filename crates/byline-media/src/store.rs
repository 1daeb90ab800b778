//! Where pictures are kept: by key, in a local folder or in any S3-compatible bucket, behind
//! one type.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Where the media live, and how to reach them.
#[derive(Clone)]
pub struct MediaStore {
    objects: Arc<dyn ObjectStore>,
    /// For messages: the folder or `s3://bucket/prefix` (never a credential).
    location: String,
    /// Files read so far (shared by every clone), for metrics and to prove work bounded.
    reads: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStore")
            .field("location", &self.location)
            .finish()
    }
}

/// How to reach an S3-compatible bucket.
#[derive(Debug, Clone, Default)]
pub struct S3Settings {
    /// `s3://BUCKET` or `s3://BUCKET/PREFIX`.
    pub url: String,
    /// The service's address, for anything but AWS itself (`http://127.0.0.1:9000`).
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MediaStoreError {
    #[error("media storage {location}: {message}")]
    Unreachable { location: String, message: String },
    #[error("{0}")]
    Setting(String),
}

impl MediaStore {
    /// A local folder (created when missing).
    pub fn local(dir: &std::path::Path) -> Result<MediaStore, MediaStoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| MediaStoreError::Setting(format!("{}: {e}", dir.display())))?;
        let objects = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| MediaStoreError::Setting(format!("{}: {e}", dir.display())))?;
        Ok(MediaStore {
            objects: Arc::new(objects),
            location: dir.display().to_string(),
            reads: Arc::default(),
        })
    }

    /// An S3-compatible bucket, optionally under a prefix.
    pub fn s3(settings: &S3Settings) -> Result<MediaStore, MediaStoreError> {
        let rest = settings.url.strip_prefix("s3://").ok_or_else(|| {
            MediaStoreError::Setting(format!(
                "[media] store {:?} is not an s3://BUCKET/PREFIX address",
                settings.url
            ))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(MediaStoreError::Setting(format!(
                "[media] store {:?} names no bucket",
                settings.url
            )));
        }
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(settings.region.as_deref().unwrap_or("us-east-1"));
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(key) = &settings.access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &settings.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        let s3 = builder
            .build()
            .map_err(|e| MediaStoreError::Setting(format!("[media] store: {e}")))?;
        let objects: Arc<dyn ObjectStore> = match prefix.trim_matches('/') {
            "" => Arc::new(s3),
            prefix => Arc::new(PrefixStore::new(s3, prefix)),
        };
        Ok(MediaStore {
            objects,
            location: settings.url.clone(),
            reads: Arc::default(),
        })
    }

    /// The folder or bucket, fit to print.
    pub fn location(&self) -> &str {
        &self.location
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> MediaStoreError {
        MediaStoreError::Unreachable {
            location: self.location.clone(),
            message: e.to_string(),
        }
    }

    /// Keeps `bytes` under `key`; a key already present is left as it is (keys are content
    /// addresses). Local writes go to a temporary name and are renamed into place.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), MediaStoreError> {
        let path = StorePath::from(key);
        match self.objects.head(&path).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(self.unreachable(e)),
        }
        self.objects
            .put(&path, PutPayload::from(bytes))
            .await
            .map_err(|e| self.unreachable(e))?;
        Ok(())
    }

    /// How many files [`MediaStore::get`] has been asked for, by this store and its clones.
    pub fn reads(&self) -> u64 {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The file under `key`, or `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, MediaStoreError> {
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match self.objects.get(&StorePath::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(|e| self.unreachable(e))?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.unreachable(e)),
        }
    }

    /// Every key, sorted.
    pub async fn keys(&self) -> Result<Vec<String>, MediaStoreError> {
        let mut listing = self.objects.list(None);
        let mut keys = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(|e| self.unreachable(e))?;
            let key = meta.location.to_string();
            if !key.split('/').any(|part| part.starts_with('.')) {
                keys.push(key);
            }
        }
        keys.sort();
        Ok(keys)
    }

    /// Deletes the picture stored under `key` and every rendition made of it (the keys that
    /// start with its stem and a `-`); returns how many files went.
    pub async fn delete_picture(&self, key: &str) -> Result<usize, MediaStoreError> {
        let stem = key.rsplit_once('.').map_or(key, |(stem, _)| stem);
        let folder = stem
            .rsplit_once('/')
            .map(|(folder, _)| StorePath::from(folder));
        let mut listing = self.objects.list(folder.as_ref());
        let mut doomed = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(|e| self.unreachable(e))?;
            let found = meta.location.to_string();
            if found == key
                || found
                    .strip_prefix(stem)
                    .is_some_and(|rest| rest.starts_with('-'))
            {
                doomed.push(meta.location);
            }
        }
        for path in &doomed {
            match self.objects.delete(path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.unreachable(e)),
            }
        }
        Ok(doomed.len())
    }

    /// Whether files can be written and read back: a small probe is written and removed.
    pub async fn check(&self) -> Result<(), MediaStoreError> {
        let probe = StorePath::from(".health-probe");
        self.objects
            .put(&probe, PutPayload::from_static(b"ok"))
            .await
            .map_err(|e| self.unreachable(e))?;
        self.objects
            .delete(&probe)
            .await
            .map_err(|e| self.unreachable(e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_store_keeps_lists_and_reads_files_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaStore::local(&dir.path().join("media")).unwrap();
        media.put("ab/cdef.png", b"png".to_vec()).await.unwrap();
        media.put("ab/cdef.png", b"other".to_vec()).await.unwrap();
        assert_eq!(
            media.get("ab/cdef.png").await.unwrap().unwrap(),
            Bytes::from_static(b"png"),
            "a key is written once"
        );
        assert!(media.get("ab/none.png").await.unwrap().is_none());
        media.check().await.unwrap();
        assert_eq!(media.keys().await.unwrap(), vec!["ab/cdef.png".to_owned()]);
        assert!(dir.path().join("media/ab/cdef.png").is_file());
        for key in [
            "ab/cdef-w320.jpg",
            "ab/cdef-1x1-at500x500-w320.webp",
            "ab/cdefg.png",
        ] {
            media.put(key, b"x".to_vec()).await.unwrap();
        }
        assert_eq!(media.delete_picture("ab/cdef.png").await.unwrap(), 3);
        assert_eq!(
            media.keys().await.unwrap(),
            vec!["ab/cdefg.png".to_owned()],
            "another picture whose name starts the same stays"
        );
    }

    #[test]
    fn bad_bucket_addresses_are_named() {
        for url in ["http://bucket", "s3://", "s3:///prefix"] {
            let settings = S3Settings {
                url: url.into(),
                ..Default::default()
            };
            let e = MediaStore::s3(&settings).unwrap_err().to_string();
            assert!(e.contains("[media] store"), "{url}: {e}");
        }
    }
}
