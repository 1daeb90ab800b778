//! XMP packets (APP1 `http://ns.adobe.com/xap/1.0/`), in UTF-8 or UTF-16, with Extended XMP
//! (APP1 `http://ns.adobe.com/xmp/extension/`, chunks joined by GUID and offset). Properties
//! are found by namespace URI, whether written as attributes or as elements, single values or
//! `rdf:Seq`/`rdf:Bag`/`rdf:Alt` lists (for `rdf:Alt`, the `x-default` language wins).

use std::collections::BTreeMap;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::jpeg::Segment;
use super::{PhotoMetadata, clean};

const MAIN: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const EXTENSION: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

const DC: &str = "http://purl.org/dc/elements/1.1/";
const PHOTOSHOP: &str = "http://ns.adobe.com/photoshop/1.0/";
const RIGHTS: &str = "http://ns.adobe.com/xap/1.0/rights/";
const PLUS: &str = "http://ns.useplus.org/ldf/xmp/1.0/";
const IPTC_CORE: &str = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/";
const XML: &str = "http://www.w3.org/XML/1998/namespace";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Creator,
    Description,
    Rights,
    Subject,
    Credit,
    Source,
    Headline,
    UsageTerms,
    WebStatement,
    LicensorUrl,
    AltText,
}

fn field(namespace: &str, local: &str) -> Option<Field> {
    Some(match (namespace, local) {
        (DC, "creator") => Field::Creator,
        (DC, "description") => Field::Description,
        (DC, "rights") => Field::Rights,
        (DC, "subject") => Field::Subject,
        (PHOTOSHOP, "Credit") => Field::Credit,
        (PHOTOSHOP, "Source") => Field::Source,
        (PHOTOSHOP, "Headline") => Field::Headline,
        (RIGHTS, "UsageTerms") => Field::UsageTerms,
        (RIGHTS, "WebStatement") => Field::WebStatement,
        (PLUS, "LicensorURL") => Field::LicensorUrl,
        (IPTC_CORE, "AltTextAccessibility") => Field::AltText,
        _ => return None,
    })
}

/// Values found per field, each with the language it was tagged with.
type Found = BTreeMap<Field, Vec<(Option<String>, String)>>;

pub(super) fn read(segments: &[Segment<'_>]) -> PhotoMetadata {
    let mut found = Found::new();
    let mut extended: BTreeMap<&[u8], Vec<(u32, &[u8])>> = BTreeMap::new();
    for segment in segments.iter().filter(|s| s.marker == 0xE1) {
        if let Some(packet) = segment.data.strip_prefix(MAIN) {
            parse(&decode(packet), &mut found);
        } else if let Some(chunk) = segment.data.strip_prefix(EXTENSION)
            && let (Some(guid), Some(offset), Some(data)) =
                (chunk.get(..32), chunk.get(36..40), chunk.get(40..))
        {
            let offset = u32::from_be_bytes([offset[0], offset[1], offset[2], offset[3]]);
            extended.entry(guid).or_default().push((offset, data));
        }
    }
    for (_, mut chunks) in extended {
        chunks.sort_by_key(|(offset, _)| *offset);
        let whole: Vec<u8> = chunks.into_iter().flat_map(|(_, d)| d.to_vec()).collect();
        parse(&decode(&whole), &mut found);
    }
    metadata_of(found)
}

/// The fields of one whole XMP packet (as WebP and other containers carry it).
pub(super) fn read_packet(packet: &[u8]) -> PhotoMetadata {
    let mut found = Found::new();
    parse(&decode(packet), &mut found);
    metadata_of(found)
}

/// The packet as text: UTF-16 (either order, with or without a byte-order mark) or UTF-8.
fn decode(packet: &[u8]) -> String {
    let utf16 = |big: bool| {
        let units = packet.chunks_exact(2).map(|p| {
            if big {
                u16::from_be_bytes([p[0], p[1]])
            } else {
                u16::from_le_bytes([p[0], p[1]])
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
            .trim_start_matches('\u{FEFF}')
            .to_owned()
    };
    match packet.get(..2) {
        Some([0xFE, 0xFF] | [0x00, b'<']) => utf16(true),
        Some([0xFF, 0xFE] | [b'<', 0x00]) => utf16(false),
        _ => String::from_utf8_lossy(packet)
            .trim_start_matches('\u{FEFF}')
            .to_owned(),
    }
}

/// Collects the known properties of one packet; a malformed packet keeps what came before
/// the fault.
fn parse(text: &str, found: &mut Found) {
    let mut reader = NsReader::from_str(text);
    // Per open element: the field it is (if any) and its `xml:lang`.
    let mut open: Vec<(Option<Field>, Option<String>)> = Vec::new();
    let mut buffer = String::new();
    loop {
        let Ok((namespace, event)) = reader.read_resolved_event() else {
            return;
        };
        let namespace = match namespace {
            ResolveResult::Bound(ns) => Some(ns.as_ref().to_owned()),
            _ => None,
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let mut lang = None;
                for attribute in e.attributes().flatten() {
                    let (ns, local) = reader.resolver().resolve_attribute(attribute.key);
                    let Ok(value) = attribute.normalized_value(XmlVersion::Implicit1_0) else {
                        continue;
                    };
                    match ns {
                        ResolveResult::Bound(ns)
                            if ns.as_ref() == XML && local.as_ref() == "lang" =>
                        {
                            lang = Some(value.into_owned());
                        }
                        ResolveResult::Bound(ns) => {
                            if let (Some(f), Some(v)) =
                                (field(ns.as_ref(), local.as_ref()), clean(&value))
                            {
                                found.entry(f).or_default().push((None, v));
                            }
                        }
                        _ => {}
                    }
                }
                buffer.clear();
                if matches!(event, Event::Start(_)) {
                    let own = namespace
                        .as_deref()
                        .and_then(|ns| field(ns, e.local_name().as_ref()));
                    open.push((own, lang));
                }
            }
            Event::Text(t) => buffer.push_str(&t.xml10_content()),
            Event::CData(t) => buffer.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => buffer.push(c),
                _ => buffer.push_str(resolve_predefined_entity(&r.into_inner()).unwrap_or("")),
            },
            Event::End(_) => {
                let Some((own, lang)) = open.pop() else {
                    return;
                };
                let field = own.or_else(|| open.iter().rev().find_map(|(f, _)| *f));
                if let (Some(f), Some(text)) = (field, clean(&buffer)) {
                    found.entry(f).or_default().push((lang, text));
                }
                buffer.clear();
            }
            Event::Eof => return,
            _ => {}
        }
    }
}

fn metadata_of(mut found: Found) -> PhotoMetadata {
    let mut all = |f: Field| -> Vec<String> {
        let mut values: Vec<String> = Vec::new();
        for (_, v) in found.remove(&f).unwrap_or_default() {
            if !values.contains(&v) {
                values.push(v);
            }
        }
        values
    };
    let creators = all(Field::Creator);
    let keywords = all(Field::Subject);
    let licensor_urls = all(Field::LicensorUrl);
    let mut one = |f: Field| -> Option<String> {
        let values = found.remove(&f)?;
        values
            .iter()
            .find(|(lang, _)| lang.as_deref() == Some("x-default"))
            .or(values.first())
            .map(|(_, v)| v.clone())
    };
    PhotoMetadata {
        creators,
        keywords,
        licensor_urls,
        credit: one(Field::Credit),
        source: one(Field::Source),
        copyright: one(Field::Rights),
        caption: one(Field::Description),
        headline: one(Field::Headline),
        usage_terms: one(Field::UsageTerms),
        web_statement: one(Field::WebStatement),
        alt_text: one(Field::AltText),
    }
}
