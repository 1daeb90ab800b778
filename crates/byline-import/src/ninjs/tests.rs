//! ninjs mapping, on IPTC's own examples and on hand-made items.

use serde_json::json;

use super::*;

fn fixture(path: &str) -> String {
    let full = format!(
        "{}/../../../shared/fixtures/ninjs/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn one(path: &str) -> Result<WireStory, NinjsError> {
    let mut items = parse_file(&fixture(path)).unwrap();
    assert_eq!(items.len(), 1);
    items.remove(0)
}

#[test]
fn a_2_2_item_with_a_credited_feature_image() {
    let story = parse_item(json!({
        "uri": "urn:example:1", "type": "text", "version": "3", "language": "en",
        "firstcreated": "2020-01-13T09:00:00Z", "versioncreated": "2020-01-14T10:00:00Z",
        "headlines": [{"role": "sub", "value": "Sub"}, {"role": "main", "value": " Main  headline "}],
        "bodies": [{"role": "plain", "contenttype": "text/plain", "value": "plain"},
                   {"role": "richtext", "contenttype": "text/html", "value": "<p>rich</p>"}],
        "subject": [{"name": "Politics"}, {"name": "politics"}, {"code": "x"}],
        "associations": [
            {"name": "gallery", "type": "picture", "renditions": [{"href": "other.jpg"}]},
            {"name": "featureimage", "type": "picture", "by": "EPA/MAXIM SHIPENKOV",
             "descriptions": [{"role": "headline", "value": "no"}, {"role": "caption", "value": "The caption"}],
             "renditions": [{"name": "thumb", "href": "t.jpg", "width": 100, "height": 50},
                            {"name": "original", "href": "lead-photo.jpg", "contenttype": "image/jpeg", "width": 1200, "height": 675}]}
        ]
    }))
    .unwrap();
    assert_eq!(story.external_id, "urn:example:1");
    assert_eq!(story.version, Some(3));
    assert_eq!(story.headline.as_str(), "Main headline");
    assert_eq!(story.body, Body::Html("<p>rich</p>".into()));
    assert_eq!(story.subjects, vec!["Politics"]);
    assert_eq!(
        story.first_created.unwrap().to_rfc3339(),
        "2020-01-13T09:00:00+00:00"
    );
    assert_eq!(story.pub_status, PubStatus::Usable);
    let picture = story.picture.unwrap();
    assert_eq!(
        picture.href,
        RenditionHref::Relative("lead-photo.jpg".into())
    );
    assert_eq!(picture.credit.as_deref(), Some("EPA/MAXIM SHIPENKOV"));
    assert_eq!(picture.caption.as_deref(), Some("The caption"));
    assert_eq!((picture.width, picture.height), (Some(1200), Some(675)));
}

#[test]
fn ninjs_1_prefers_xhtml_over_text_and_reads_byline() {
    let story = one("iptc-examples/1.4/ninjsExSimpleText1.json").unwrap();
    assert_eq!(
        story.headline.as_str(),
        "Captain of wrecked cruise ship on trial in Italy"
    );
    assert!(matches!(&story.body, Body::Html(h) if h.starts_with("<p>GROSSETO, Italy (AP)")));
    assert_eq!(
        story.byline.as_deref(),
        Some("Paulo Santalucia and Frances d'Emilio")
    );
    assert_eq!(
        story.version_created.unwrap().to_rfc3339(),
        "2013-07-09T10:37:00+00:00"
    );
}

#[test]
fn ninjs_3_camel_case_keys_are_read() {
    let story = one("iptc-examples/3.0/ninjsExSimpleText_3.json").unwrap();
    assert_eq!(
        story.headline.as_str(),
        "Captain of wrecked cruise ship on trial in Italy"
    );
    assert_eq!(
        story.byline.as_deref(),
        Some("Paulo Santalucia and Frances d'Emilio")
    );
    assert_eq!(
        story.version_created.unwrap().to_rfc3339(),
        "2013-07-09T10:37:00+00:00"
    );
    assert!(
        matches!(&story.body, Body::Html(h) if h.contains("<p>GROSSETO")),
        "rich body preferred"
    );
}

#[test]
fn superdesk_featuremedia_is_the_lead_picture() {
    let story = one("superdesk-core/ninjs2.json").unwrap();
    let picture = story.picture.unwrap();
    assert_eq!(picture.credit.as_deref(), Some("Bebeto Matthews"));
    assert_eq!(
        picture.caption.as_deref(),
        Some(
            "Oil prices edged up on Monday, supported by the first fall in US drilling activity in month."
        )
    );
    assert_eq!(
        picture.href,
        RenditionHref::Remote(
            "http://localhost:5000/api/upload-raw/599e31ec1d41c833e0b8a830.jpg".into()
        )
    );
    assert_eq!((picture.width, picture.height), (Some(3489), Some(2296)));
    assert_eq!(story.version, Some(4));
}

#[test]
fn embargo_and_plain_text_paragraph_source() {
    let story = one("superdesk-core/ninjs_embargoed.json").unwrap();
    assert!(story.embargoed.is_some());
    let tt = one("iptc-examples/2.1/tt_text_image_2.json").unwrap();
    let Body::Html(body) = &tt.body else {
        panic!("html5 body preferred")
    };
    // The document is reduced to its article: no head, no repeated headline, no second copy
    // of the lead photo, and the vignette and source apart as the plain text shows them.
    assert!(body.starts_with("<article>"), "{body}");
    for gone in ["<title>", "<h1>", "<figure", "a001_NormalThumbnail"] {
        assert!(!body.contains(gone), "{gone} in {body}");
    }
    assert!(body.contains("Försvar</span> <span"), "{body}");
    assert!(body.contains("<blockquote>Aurora 2023"));
    assert_eq!(tt.language.as_deref(), Some("sv"));
    assert_eq!(
        tt.picture.unwrap().credit.as_deref(),
        Some("Karl Melander/TT")
    );
    let plain = one("iptc-examples/1.6/001_simple_example.json").unwrap();
    assert!(matches!(&plain.body, Body::Text(t) if t.starts_with("GROSSETO, Italy (AP)")));
    assert_eq!(
        plain.headline.as_str(),
        "Captain of wrecked cruise ship on trial in Italy"
    );
}

#[test]
fn photo_items_carry_their_own_picture() {
    let story = one("iptc-examples/1.6/006_photo_only.json").unwrap();
    assert_eq!(story.headline.as_str(), "Costa Concordia cruise ship");
    let picture = story.picture.unwrap();
    assert_eq!(picture.credit.as_deref(), Some("Paulo Santalucia"));
    assert!(
        picture
            .caption
            .unwrap()
            .starts_with("The Costa Concordia cruise ship lies on its side")
    );
    assert!(
        matches!(story.body, Body::Text(_)),
        "the description is the body of a photo story"
    );
}

#[test]
fn the_invalid_example_is_refused_for_its_missing_headline() {
    let err = one("iptc-examples/not-valid/008_extension.json").unwrap_err();
    assert_eq!(
        err,
        NinjsError::Missing("headline (headline, headlines, title)")
    );
}

#[test]
fn bad_files_and_fields_are_named() {
    let err = parse_file("{\n  \"uri\": \"x\",\n  oops\n}").unwrap_err();
    assert!(
        matches!(err, NinjsError::NotJson { line: 3, .. }),
        "{err:?}"
    );
    assert!(matches!(parse_file("42"), Err(NinjsError::NotNinjs(_))));
    let items =
        parse_file(r#"[{"uri": "a", "headline": "ok"}, 7, {"headline": "no uri"}]"#).unwrap();
    assert!(items[0].is_ok());
    assert!(matches!(items[1], Err(NinjsError::NotNinjs(_))));
    assert_eq!(items[2], Err(NinjsError::Missing("uri")));
    let bad_time =
        parse_item(json!({"uri": "a", "headline": "h", "firstcreated": "soon"})).unwrap_err();
    assert!(matches!(
        bad_time,
        NinjsError::BadField {
            field: "firstcreated",
            ..
        }
    ));
    let canceled =
        parse_item(json!({"uri": "a", "headline": "h", "pubStatus": "canceled"})).unwrap();
    assert_eq!(canceled.pub_status, PubStatus::Canceled);
}

#[test]
fn a_pictures_credit_comes_from_every_field_agencies_write_it_in() {
    let credit_with = |fields: serde_json::Value| {
        let mut picture = json!({"name": "featureimage", "type": "picture",
            "renditions": [{"name": "original", "href": "p.jpg"}]});
        picture
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        parse_item(json!({"uri": "urn:example:credit", "headline": "H",
            "body_html": "<p>x</p>", "associations": {"featureimage": picture}}))
        .unwrap()
        .picture
        .unwrap()
        .credit
    };
    let cases = [
        (
            json!({"creditline": "AFP/Jane Doe", "by": "Jane Doe"}),
            Some("AFP/Jane Doe"),
        ),
        (
            json!({"description_creditline": "dpa/Max Muster"}),
            Some("dpa/Max Muster"),
        ),
        (
            json!({"by": "Jane Doe", "copyrightnotice": "(c) AFP"}),
            Some("Jane Doe"),
        ),
        (json!({"byline": "Max Muster"}), Some("Max Muster")),
        (
            json!({"copyrightnotice": "Copyright 2026 Reuters"}),
            Some("© 2026 Reuters"),
        ),
        (json!({"copyrightnotice": "All rights reserved"}), None),
        (json!({}), None),
    ];
    for (fields, expected) in cases {
        assert_eq!(credit_with(fields.clone()).as_deref(), expected, "{fields}");
    }
}
