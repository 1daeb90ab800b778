//! Byline's media: where pictures are kept — by key (`ab/cdef….jpg`), in a local folder or in
//! any S3-compatible bucket, behind one type; keys are content addresses, so a file is written
//! once and never changes — and what a picture says about itself ([`metadata`]).

pub mod decode;
pub mod metadata;
pub mod renditions;
#[cfg(feature = "store")]
mod store;

#[cfg(feature = "store")]
pub use store::{MediaStore, MediaStoreError, S3Settings};
