//! Tests of the picture rules: credit lines, captions and renditions.

use super::*;

#[test]
fn crops_keep_the_focus_in_view_within_the_picture() {
    let centre = Crop::Wide.region(3000, 2000, Focus::default());
    assert_eq!((centre.width, centre.height), (3000, 1687));
    assert_eq!((centre.x, centre.y), (0, 157));
    let top = Crop::Wide.region(3000, 2000, Focus::new(500, 0));
    assert_eq!(top.y, 0, "a focus at the edge puts the crop against it");
    let square = Crop::Square.region(3000, 2000, Focus::new(900, 500));
    assert_eq!((square.x, square.width, square.height), (1000, 2000, 2000));
    let tall = Crop::Standard.region(1000, 3000, Focus::new(500, 1000));
    assert_eq!((tall.width, tall.height, tall.y), (1000, 750, 2250));
}

#[test]
fn only_the_renditions_pages_offer_are_offered() {
    let mut picture = Picture::at(PictureSource::Local {
        key: "ab/cdef.jpg".into(),
    });
    picture.width = Some(1000);
    picture.height = Some(800);
    picture.content_type = Some("image/jpeg".into());
    picture.focus = Focus::new(300, 600);
    let whole = |width| Rendition {
        shape: Shape::Original,
        width,
        format: Format::Webp,
    };
    assert!(picture.offers(whole(320)) && picture.offers(whole(960)));
    assert!(!picture.offers(whole(1280)), "wider than the picture");
    assert!(
        !picture.offers(whole(500)),
        "not a width renditions are made in"
    );
    let square = |focus| Rendition {
        shape: Shape::Crop(Crop::Square, focus),
        width: 640,
        format: Format::Jpeg,
    };
    assert!(picture.offers(square(Focus::new(300, 600))));
    assert!(!picture.offers(square(Focus::default())), "another focus");
    picture.content_type = Some("image/svg+xml".into());
    assert!(!picture.offers(whole(320)), "no renditions of an SVG");
}

#[test]
fn rendition_keys_have_one_spelling_and_read_back() {
    let crop = Rendition {
        shape: Shape::Crop(Crop::Standard, Focus::new(250, 700)),
        width: 640,
        format: Format::Webp,
    };
    let key = crop.key("ab/cdef.png");
    assert_eq!(key, "ab/cdef-4x3-at250x700-w640.webp");
    assert_eq!(Rendition::parse(&key), Some(("ab/cdef", crop)));
    assert_eq!(rendition_key("ab/cdef.png", 640), "ab/cdef-w640.jpg");
    let (stem, whole) = Rendition::parse("ab/cdef-w1200.jpg").unwrap();
    assert_eq!(
        (stem, whole.width, whole.shape),
        ("ab/cdef", 1200, Shape::Original)
    );
    for bad in [
        "ab/cdef-w4000.jpg",
        "ab/cdef-w0640.jpg",
        "ab/cdef.jpg",
        "ab/cdef-w640.png",
        "ab/cdef-4x3-at250x700-w2048.jpg",
        "ab/cdef-4x3-at0250x700-w640.jpg",
        "ab/cdef-4x3-at2500x700-w640.jpg",
        "ab/cdef-3x2-at250x700-w640.jpg",
        "-w640.jpg",
    ] {
        assert_eq!(Rendition::parse(bad), None, "{bad}");
    }
}

#[test]
fn every_rendition_of_a_picture() {
    let all = Rendition::all(1500, 1000, Focus::default());
    let whole: Vec<u32> = all
        .iter()
        .filter(|r| r.shape == Shape::Original && r.format == Format::Jpeg)
        .map(|r| r.width)
        .collect();
    assert_eq!(whole, vec![320, 640, 960, 1280, 1500]);
    let squares = all
        .iter()
        .filter(|r| matches!(r.shape, Shape::Crop(Crop::Square, _)))
        .count();
    assert_eq!(
        squares,
        2 * 4,
        "1000 px square: 320 to 960 and its own width"
    );
    assert_eq!(all.len(), 2 * (5 + 4 + 4 + 4));
}
