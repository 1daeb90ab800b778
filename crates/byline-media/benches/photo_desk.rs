//! Benchmark: the time and peak memory to make every rendition of a 24-megapixel JPEG
//! (6,000 × 4,000, made here from a gradient with noise so it compresses like a photo), and the
//! time to read the metadata of each fixture photo. Prints its figures.
//! Run: `cargo bench -p byline-media --bench photo_desk`.

use std::io::Cursor;
use std::time::Instant;

use byline_core::picture::Focus;
use byline_media::decode::decode;
use byline_media::metadata::read_metadata;
use byline_media::renditions::make_all;
use image::codecs::jpeg::JpegEncoder;

fn peak_resident_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn photo_24mp() -> Vec<u8> {
    let (width, height) = (6000u32, 4000u32);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let noise = (seed & 0x1F) as u8;
        image::Rgb([
            ((x * 255 / width) as u8).wrapping_add(noise),
            ((y * 255 / height) as u8).wrapping_add(noise),
            (((x + y) * 127 / (width + height)) as u8).wrapping_add(noise),
        ])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 90)
        .encode_image(&image)
        .expect("encoding to memory");
    jpeg
}

fn main() {
    let jpeg = photo_24mp();
    println!("24-megapixel JPEG: {} bytes", jpeg.len());
    let before = peak_resident_mb();
    let started = Instant::now();
    let (image, decoded) = decode(&jpeg).expect("it decodes");
    let decoded_at = started.elapsed();
    let rights = read_metadata(&jpeg).unwrap_or_default();
    let made = make_all(&image, Focus::default(), &rights);
    let total: usize = made.iter().map(|(_, bytes)| bytes.len()).sum();
    let all = started.elapsed();
    println!(
        "decode {:.0} ms ({}×{}); decode and all {} renditions (whole and 16:9, 4:3, 1:1 crops; \
         JPEG and WebP) {:.0} ms ({total} bytes); peak resident memory {:.0} MB (before: \
         {before:.0} MB)",
        decoded_at.as_secs_f64() * 1000.0,
        decoded.width,
        decoded.height,
        made.len(),
        all.as_secs_f64() * 1000.0,
        peak_resident_mb()
    );

    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/photos"
    );
    for folder in ["exiftool", "superdesk-core"] {
        let mut names: Vec<_> = std::fs::read_dir(format!("{dir}/{folder}"))
            .expect("the fixtures")
            .map(|e| e.expect("an entry").path())
            .collect();
        names.sort();
        for path in names {
            let bytes = std::fs::read(&path).expect("a fixture");
            let rounds = 2_000;
            let started = Instant::now();
            for _ in 0..rounds {
                std::hint::black_box(read_metadata(std::hint::black_box(&bytes)).ok());
            }
            println!(
                "metadata of {}: {:.1} µs per read",
                path.file_name().unwrap_or_default().to_string_lossy(),
                started.elapsed().as_secs_f64() * 1e6 / f64::from(rounds)
            );
        }
    }
}
