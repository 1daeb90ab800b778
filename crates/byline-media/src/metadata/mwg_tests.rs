//! The Metadata Working Group's reading rules, checked field by field against
//! `exiftool -use MWG` (Debian's libimage-exiftool-perl) on pictures that exiftool itself
//! writes with EXIF, IIM and XMP that disagree.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::read_metadata;

fn exiftool(args: &[&str], file: &Path) -> Vec<u8> {
    let out = Command::new("exiftool")
        .args(args)
        .arg(file)
        .output()
        .expect("exiftool runs: install libimage-exiftool-perl (scripts/setup does)");
    assert!(
        out.status.success(),
        "exiftool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A copy of a real photo with every metadata block removed.
fn blank(dir: &Path, name: &str) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/photos/superdesk-core/GAC103-thumb.jpg");
    let file = dir.join(name);
    std::fs::write(&file, std::fs::read(source).unwrap()).unwrap();
    exiftool(&["-q", "-overwrite_original", "-all="], &file);
    file
}

fn write(file: &Path, tags: &[&str]) {
    let mut args = vec!["-q", "-overwrite_original", "-m", "-codedcharacterset=utf8"];
    args.extend_from_slice(tags);
    exiftool(&args, file);
}

/// exiftool's MWG reading: (description, creators, copyright, keywords).
type Fields = (Option<String>, Vec<String>, Option<String>, Vec<String>);

fn listed(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Array(items) => items.iter().map(text_of).collect(),
        serde_json::Value::Null => Vec::new(),
        one => vec![text_of(one)],
    }
}

fn text_of(value: &serde_json::Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

fn exiftool_mwg(file: &Path) -> Fields {
    let json = exiftool(
        &[
            "-use",
            "MWG",
            "-j",
            "-MWG:Description",
            "-MWG:Creator",
            "-MWG:Copyright",
            "-MWG:Keywords",
        ],
        file,
    );
    let all: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let found = &all[0];
    let one = |key: &str| found.get(key).map(text_of);
    (
        one("Description"),
        listed(found.get("Creator").unwrap_or(&serde_json::Value::Null)),
        one("Copyright"),
        listed(found.get("Keywords").unwrap_or(&serde_json::Value::Null)),
    )
}

fn bylines(file: &Path) -> Fields {
    let read = read_metadata(&std::fs::read(file).unwrap()).unwrap();
    (read.caption, read.creators, read.copyright, read.keywords)
}

const ALL_THREE: [&str; 12] = [
    "-EXIF:ImageDescription=Exif caption",
    "-IPTC:Caption-Abstract=Iim caption",
    "-XMP-dc:Description=Xmp caption",
    "-EXIF:Artist=Exif Artist; Second Artist",
    "-IPTC:By-line=Iim Byline",
    "-XMP-dc:Creator=Xmp Creator",
    "-EXIF:Copyright=© Exif Rights",
    "-IPTC:CopyrightNotice=© Iim Rights",
    "-XMP-dc:Rights=© Xmp Rights",
    "-IPTC:Keywords=iim-word",
    "-XMP-dc:Subject=xmp-word",
    "-XMP-photoshop:Credit=Xmp Credit",
];

const IIM_AND_XMP: [&str; 8] = [
    "-IPTC:Caption-Abstract=Iim caption",
    "-XMP-dc:Description=Xmp caption",
    "-IPTC:By-line=Iim Byline",
    "-XMP-dc:Creator=Xmp Creator",
    "-IPTC:CopyrightNotice=© Iim Rights",
    "-XMP-dc:Rights=© Xmp Rights",
    "-IPTC:Keywords=iim-word",
    "-XMP-dc:Subject=xmp-word",
];

#[test]
fn byline_reads_as_exiftool_use_mwg_reads() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(&str, PathBuf)> = Vec::new();

    // EXIF, IIM and XMP all disagree; no digest.
    let file = blank(dir.path(), "all-three.jpg");
    write(&file, &ALL_THREE);
    write(&file, &["-Photoshop:IPTCDigest="]);
    cases.push(("all three, no digest", file));

    // No EXIF; the digest says IIM and XMP are in step.
    let file = blank(dir.path(), "in-step.jpg");
    write(&file, &IIM_AND_XMP);
    write(&file, &["-Photoshop:IPTCDigest=new"]);
    cases.push(("in step", file));

    // No EXIF; the IIM was edited after the digest was written.
    let file = blank(dir.path(), "iim-edited.jpg");
    write(&file, &IIM_AND_XMP);
    write(
        &file,
        &["-Photoshop:IPTCDigest=00112233445566778899aabbccddeeff"],
    );
    cases.push(("IIM edited later", file));

    // As above, and the IIM has no caption: the newer IIM says there is none.
    let file = blank(dir.path(), "iim-edited-no-caption.jpg");
    write(&file, &IIM_AND_XMP);
    write(
        &file,
        &[
            "-IPTC:Caption-Abstract=",
            "-Photoshop:IPTCDigest=00112233445566778899aabbccddeeff",
        ],
    );
    cases.push(("IIM edited, without a caption", file));

    // No IIM at all: XMP, with EXIF first where it has the field.
    let file = blank(dir.path(), "exif-and-xmp.jpg");
    write(
        &file,
        &[
            "-EXIF:Copyright=© Exif Only",
            "-XMP-dc:Description=Xmp caption",
            "-XMP-dc:Creator=Xmp Creator",
        ],
    );
    cases.push(("EXIF and XMP", file));

    for (case, file) in &cases {
        assert_eq!(bylines(file), exiftool_mwg(file), "{case}");
    }
    // And the readings are the ones the guidelines give.
    let (caption, creators, copyright, keywords) = bylines(&cases[0].1);
    assert_eq!(caption.as_deref(), Some("Exif caption"));
    assert_eq!(creators, ["Exif Artist", "Second Artist"]);
    assert_eq!(copyright.as_deref(), Some("© Exif Rights"));
    assert_eq!(keywords, ["xmp-word"]);
    assert_eq!(bylines(&cases[1].1).0.as_deref(), Some("Xmp caption"));
    assert_eq!(bylines(&cases[2].1).0.as_deref(), Some("Iim caption"));
    assert_eq!(bylines(&cases[3].1).0, None);
}

#[test]
fn every_fixture_photo_reads_as_exiftool_use_mwg_reads_it() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/photos");
    let mut compared = 0;
    for agency in std::fs::read_dir(&folder).unwrap() {
        for photo in std::fs::read_dir(agency.unwrap().path()).unwrap() {
            let photo = photo.unwrap().path();
            assert_eq!(bylines(&photo), exiftool_mwg(&photo), "{}", photo.display());
            compared += 1;
        }
    }
    assert!(compared >= 7, "the fixture photos are there");
}

#[test]
fn a_picture_with_only_a_copyright_notice_is_credited_to_its_holder() {
    let dir = tempfile::tempdir().unwrap();
    let file = blank(dir.path(), "rights-only.jpg");
    write(&file, &["-EXIF:Copyright=Copyright 2026 Harbour Photos"]);
    let read = read_metadata(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(read.credit_line().as_deref(), Some("© 2026 Harbour Photos"));
}
