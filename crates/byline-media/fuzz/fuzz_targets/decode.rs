//! Any bytes given to the upload check decode or are refused, never a panic; what decodes has
//! the size it reports.
#![no_main]

use byline_media::decode::decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok((image, decoded)) = decode(bytes) {
        assert_eq!((image.width(), image.height()), (decoded.width, decoded.height));
    }
});
