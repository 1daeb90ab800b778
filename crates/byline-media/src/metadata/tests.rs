//! Every picture in `../shared/fixtures/photos/`, with what it holds written out by hand.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../../shared/fixtures/photos/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn read(name: &str) -> PhotoMetadata {
    read_metadata(&fixture(name)).unwrap()
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

fn some(value: &str) -> Option<String> {
    Some(value.to_owned())
}

#[test]
fn iim_only() {
    let m = read("exiftool/IPTC.jpg");
    assert_eq!(m.creators, strings(&["Phil Harvey"]));
    assert_eq!(m.credit, some("My Credit"));
    assert_eq!(m.source, some("I'm the source"));
    assert_eq!(m.copyright, some("Copyright 2004 Phil Harvey"));
    assert_eq!(m.caption, some("A witty caption"));
    assert_eq!(m.headline, some("No headline"));
    assert_eq!(m.keywords, strings(&["ExifTool", "Test", "IPTC"]));
    assert_eq!(m.credit_line(), some("My Credit/Phil Harvey"));
}

#[test]
fn utf16_xmp_and_exif() {
    let m = read("exiftool/XMP.jpg");
    assert_eq!(m.creators, strings(&["Phil Harvey"]));
    assert_eq!(m.credit, some("My Credit"));
    assert_eq!(m.source, some("I'm the source"));
    assert_eq!(m.copyright, some("Copyright 2004 Phil Harvey"));
    // EXIF's description is read before XMP's (MWG), as `exiftool -use MWG` reads it.
    assert_eq!(m.caption, some("A witty caption"));
    assert_eq!(m.headline, some("No headline"));
    assert_eq!(m.keywords, strings(&["ExifTool", "Test", "XMP"]));
    assert_eq!(m.web_statement, some("https://exiftool.org/"));
}

#[test]
fn an_iim_edited_after_its_digest_wins_over_the_xmp() {
    // The file's stored IIM digest no longer matches its IIM: a tool that does not keep XMP in
    // step edited the IIM last, so the IIM caption and keyword are the newer ones (exiftool's
    // MWG composite tags read the same).
    let m = read("exiftool/ExifTool.jpg");
    assert_eq!(m.caption, some("A witty caption"));
    assert_eq!(m.keywords, strings(&["jambalaya"]));
    assert_eq!(m.creators, strings(&["Phil Harvey"]));
    assert_eq!(m.credit, some("My Credit"));
    assert_eq!(m.copyright, some("Copyright 2004 Phil Harvey"));
    // What only the XMP holds still comes from it.
    assert_eq!(m.web_statement, some("https://exiftool.org/"));
}

#[test]
fn photo_mechanic_writes_both_alike() {
    let m = read("exiftool/PhotoMechanic.jpg");
    assert_eq!(m.creators, strings(&["Photographer"]));
    assert_eq!(m.credit, some("Credit"));
    assert_eq!(m.source, some("Source"));
    assert_eq!(m.copyright, some("Copyright"));
    assert_eq!(m.caption, some("Caption"));
    assert_eq!(m.headline, some("Headline"));
    assert_eq!(m.keywords, strings(&["Keywords", "one", "three", "two"]));
    assert_eq!(m.credit_line(), some("Credit/Photographer"));
}

#[test]
fn a_canadian_press_wire_photo_in_utf8() {
    let m = read("superdesk-core/GAC103-thumb.jpg");
    assert_eq!(m.creators, strings(&["Annick deGooyer"]));
    assert_eq!(m.credit, some("The Canadian Press"));
    assert_eq!(m.source, some("HO"));
    assert_eq!(m.copyright, None);
    assert_eq!(
        m.caption,
        some(
            "West Kelowna resident Annick deGooyer and her husband Rob Baker went on a bus tour \
             on Sept. 1 to take a first-hand look at their burned-down home in Traders Cove, seen \
             in an undated handout photo, a place in which they have lived for over twenty years. \
             THE CANADIAN PRESS/HO-Annick deGooyer, *MANDATORY CREDIT*"
        )
    );
    assert_eq!(m.credit_line(), some("The Canadian Press/Annick deGooyer"));
}

#[test]
fn the_iptc_reference_image_with_every_field() {
    let m = read("superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg");
    // EXIF's Artist names one creator and is read first (MWG); XMP names two.
    assert_eq!(m.creators, strings(&["Creator1 (ref2017.1)"]));
    assert_eq!(m.credit, some("Credit Line (ref2017.1)"));
    assert_eq!(m.source, some("Source (ref2017.1)"));
    assert_eq!(
        m.copyright,
        some("Copyright (Notice) 2017.1 IPTC - www.iptc.org  (ref2017.1)")
    );
    assert_eq!(m.caption, some("The description aka caption (ref2017.1)"));
    assert_eq!(m.headline, some("The Headline (ref2017.1)"));
    assert_eq!(
        m.keywords,
        strings(&[
            "Keyword1ref2017.1",
            "Keyword2ref2017.1",
            "Keyword3ref2017.1"
        ])
    );
    assert_eq!(m.usage_terms, some("Rights Usage Termns (ref2017.1)"));
    assert_eq!(
        m.web_statement,
        some("http://www.WebStatementOfRights.org/2017.1")
    );
    assert_eq!(
        m.licensor_urls,
        strings(&["Licensor URL 1 (ref2017.1)", "Licensor URL 2 (ref2017.1)"])
    );
    assert_eq!(
        m.credit_line(),
        some("Credit Line (ref2017.1)/Creator1 (ref2017.1)")
    );
}

#[test]
fn a_picture_without_metadata_yields_none_and_no_error() {
    assert_eq!(
        read("superdesk-core/picture_bug.jpg"),
        PhotoMetadata::default()
    );
    assert_eq!(
        read_metadata(b"\x89PNG\r\n\x1a\n").unwrap(),
        PhotoMetadata::default()
    );
}

#[test]
fn damaged_files_are_refused_or_read_never_a_panic() {
    let whole = fixture("superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg");
    // Every truncation of the metadata part: an error naming the byte, or a result.
    for cut in (2..6000).step_by(7) {
        let _ = read_metadata(&whole[..cut]);
    }
    assert_eq!(read_metadata(&whole[..3]), Err(MetadataError::Truncated(3)));
    // A segment claiming a length of 1.
    assert_eq!(
        read_metadata(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 0x00]),
        Err(MetadataError::BadSegment(4))
    );
    // Every single-byte corruption of the metadata part is survived.
    let mut bent = whole.clone();
    for at in (2..6000).step_by(11) {
        bent[at] ^= 0x5A;
        let _ = read_metadata(&bent);
        bent[at] ^= 0x5A;
    }
}

#[test]
fn the_credit_line_follows_the_agencies() {
    let both = PhotoMetadata {
        credit: some("EPA"),
        creators: strings(&["MAXIM SHIPENKOV"]),
        ..Default::default()
    };
    assert_eq!(both.credit_line(), some("EPA/MAXIM SHIPENKOV"));
    let same = PhotoMetadata {
        credit: some("Reuters"),
        creators: strings(&["Reuters"]),
        ..Default::default()
    };
    assert_eq!(same.credit_line(), some("Reuters"));
    let byline_only = PhotoMetadata {
        creators: strings(&["Ana Lima"]),
        ..Default::default()
    };
    assert_eq!(byline_only.credit_line(), some("Ana Lima"));
    assert_eq!(PhotoMetadata::default().credit_line(), None);
}

/// A JPEG with an IIM caption, an XMP description, and an IIM digest (right or wrong).
fn jpeg_with(iim_caption: &str, xmp_caption: &str, digest_matches: bool) -> Vec<u8> {
    use md5::{Digest, Md5};
    let mut iim = vec![0x1C, 2, 120, 0, iim_caption.len() as u8];
    iim.extend_from_slice(iim_caption.as_bytes());
    let digest = if digest_matches {
        Md5::digest(&iim).to_vec()
    } else {
        vec![0; 16]
    };
    let resource = |id: u16, data: &[u8]| {
        let mut r = b"8BIM".to_vec();
        r.extend_from_slice(&id.to_be_bytes());
        r.extend_from_slice(&[0, 0]);
        r.extend_from_slice(&(data.len() as u32).to_be_bytes());
        r.extend_from_slice(data);
        if data.len() % 2 == 1 {
            r.push(0);
        }
        r
    };
    let mut app13 = b"Photoshop 3.0\0".to_vec();
    app13.extend(resource(0x0404, &iim));
    app13.extend(resource(0x0425, &digest));
    let xmp = format!(
        "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF \
         xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:description><rdf:Alt><rdf:li \
         xml:lang=\"fr\">Légende</rdf:li><rdf:li xml:lang=\"x-default\">{xmp_caption}</rdf:li>\
         </rdf:Alt></dc:description></rdf:Description></rdf:RDF></x:xmpmeta>"
    );
    let mut file = vec![0xFF, 0xD8];
    for (marker, data) in [(0xED, app13), (0xE1, xmp.into_bytes())] {
        file.extend_from_slice(&[0xFF, marker]);
        file.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
        file.extend_from_slice(&data);
    }
    file.extend_from_slice(&[0xFF, 0xD9]);
    file
}

#[test]
fn the_iim_digest_decides_which_is_newer() {
    let in_step = read_metadata(&jpeg_with("Old words", "New words", true)).unwrap();
    assert_eq!(
        in_step.caption,
        some("New words"),
        "XMP wins while the digest holds"
    );
    let edited = read_metadata(&jpeg_with("Edited later", "New words", false)).unwrap();
    assert_eq!(
        edited.caption,
        some("Edited later"),
        "the IIM was edited after the digest: it is newer"
    );
}
