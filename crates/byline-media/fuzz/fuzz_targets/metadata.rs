//! Any bytes given to the metadata reader yield metadata or an error, never a panic, and a
//! credit pattern applied to whatever was read never panics either.
#![no_main]

use byline_media::metadata::read_metadata;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(metadata) = read_metadata(bytes) {
        let _ = metadata.credit_line();
    }
});
