//! The demo newsroom for `byline serve --demo`: four desks, twenty stories and generated
//! illustrations, all written for Byline. It goes through the same use case as any story.

use byline_core::store::SectionRef;
use byline_core::{Headline, Picture, PictureSource, RawBody, Slug, Status};
use chrono::{DateTime, Duration, Utc};

use crate::media;
use crate::usecases::imports::{self, Draft};
use crate::usecases::{Actor, Newsroom};

/// One demo desk: its name and the paragraphs its stories continue with.
struct Desk {
    name: &'static str,
    paragraphs: [&'static str; 3],
}

const DESKS: [Desk; 4] = [
    Desk {
        name: "Politics",
        paragraphs: [
            "Councillors from all three groups spoke during a debate that ran past ten in the evening, and several asked for the figures to be published in full before the next meeting.",
            "Residents who attended the public gallery said they wanted clearer answers on cost. A spokesperson for the mayor's office said a summary would be posted online within the week.",
            "The proposal now goes to the finance committee, which meets on the first Tuesday of next month. Any amendments must be tabled in writing two days before.",
        ],
    },
    Desk {
        name: "Business",
        paragraphs: [
            "Analysts at the regional chamber of commerce said the move reflected a wider shift among small firms towards local suppliers after two years of delivery delays.",
            "The company declined to give sales figures but said it had hired eleven people since the spring, most of them from the town's vocational college.",
            "Trading in the harbour district has recovered more slowly than in the centre, according to the chamber's quarterly survey, which is due again in January.",
        ],
    },
    Desk {
        name: "Climate",
        paragraphs: [
            "Volunteers measured water levels at six points along the estuary every morning for a month, and the readings were checked against the tide tables by the county's survey office.",
            "The county's adaptation plan, last revised four years ago, sets out which roads and buildings are to be protected first. Officers said a new draft would be ready for consultation next year.",
            "Farmers on the valley floor said the wet autumn had already cost them a second sowing, and called for drainage work to be brought forward.",
        ],
    },
    Desk {
        name: "Culture",
        paragraphs: [
            "Tickets for the opening weekend sold out within a day, the organisers said, and a second run is being discussed with the theatre's board.",
            "The exhibition brings together work from twelve local artists, several of whom are showing in a public gallery for the first time.",
            "Admission is free for residents under eighteen. The venue is step-free, and large-print guides are available at the front desk.",
        ],
    },
];

/// (desk, headline, standfirst, byline): five stories a desk, newest first within the list.
const STORIES: [(usize, &str, &str, &str); 20] = [
    (
        0,
        "Council backs plan to reopen the old ferry crossing",
        "A narrow vote clears the way for a two-year trial of a passenger service across the bay.",
        "Mara Lindqvist",
    ),
    (
        1,
        "Harbour bakery doubles its ovens as orders from cafés grow",
        "The family firm says wholesale customers now take half of what it bakes.",
        "Tomas Eriksen",
    ),
    (
        2,
        "Estuary survey finds spring tides reaching higher each year",
        "A month of volunteer readings adds detail to the county's flood maps.",
        "Ines Okafor",
    ),
    (
        3,
        "Lantern festival returns to the quay after a four-year pause",
        "Organisers expect thousands along the waterfront on the longest night.",
        "Jonah Weiss",
    ),
    (
        0,
        "Mayor promises answers on the cost of the new library",
        "Opposition councillors say the budget has grown by a third since the design was approved.",
        "Mara Lindqvist",
    ),
    (
        1,
        "Shipyard wins contract to build two electric pilot boats",
        "The order secures work for the yard's forty staff until the end of next year.",
        "Tomas Eriksen",
    ),
    (
        2,
        "Town hall to switch its heating to a heat pump by winter",
        "The change is expected to cut the building's fuel bill by more than half.",
        "Ines Okafor",
    ),
    (
        3,
        "Local painters fill the museum's new east gallery",
        "Twelve artists from the peninsula show work inspired by the coast.",
        "Jonah Weiss",
    ),
    (
        0,
        "Parking charges in the centre to be reviewed after complaints",
        "Traders say the new evening tariff has kept customers away.",
        "Aled Price",
    ),
    (
        1,
        "Co-operative grocer opens a second shop on the hill",
        "Members voted to expand after the first shop's turnover rose for three years running.",
        "Priya Raman",
    ),
    (
        2,
        "Farmers ask for drainage works to be brought forward",
        "A wet autumn has already cost some fields a second sowing.",
        "Ines Okafor",
    ),
    (
        3,
        "Youth orchestra records its first album in the chapel",
        "Forty musicians aged twelve to nineteen spent a week with a borrowed studio.",
        "Jonah Weiss",
    ),
    (
        0,
        "School transport budget rises as bus routes are redrawn",
        "Two villages will get a direct morning service for the first time.",
        "Aled Price",
    ),
    (
        1,
        "Night market to run every Friday through the winter",
        "Stallholders say covered pitches have made the cold months worth trading.",
        "Priya Raman",
    ),
    (
        2,
        "Cycle path along the river to open in stages from March",
        "The first section links the station with the college campus.",
        "Ines Okafor",
    ),
    (
        3,
        "Theatre company stages a play written by its audience",
        "Scenes were collected from residents over a year of workshops.",
        "Jonah Weiss",
    ),
    (
        0,
        "Residents asked to choose names for four new streets",
        "The shortlist honours a lifeboat crew, a teacher, a poet and a bridge.",
        "Mara Lindqvist",
    ),
    (
        1,
        "Fish auction moves online for buyers outside the region",
        "The harbour authority says prices have held since the change.",
        "Tomas Eriksen",
    ),
    (
        2,
        "Tree planting volunteers pass their ten-thousandth sapling",
        "The group began on a single verge by the ring road six years ago.",
        "Priya Raman",
    ),
    (
        3,
        "Bookshop's poetry nights outgrow the back room",
        "Readings will move to the community hall from the new year.",
        "Aled Price",
    ),
];

/// Loads the demo newsroom unless the store already holds stories; returns how many it loaded.
pub async fn load_if_empty(
    nr: &Newsroom,
    media: &byline_media::MediaStore,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    if !imports::site_is_empty(nr).await? {
        return Ok(0);
    }
    for (n, (desk, headline, standfirst, byline)) in STORIES.iter().enumerate() {
        let desk = &DESKS[*desk];
        let svg = illustration(n);
        let key = media::store_generated_svg(media, &svg).await?;
        let published = now - Duration::hours(5 * n as i64 + 1);
        let body = std::iter::once(format!("<p>{standfirst}</p>"))
            .chain(desk.paragraphs.iter().map(|p| format!("<p>{p}</p>")))
            .collect::<String>();
        let draft = Draft {
            external_id: Some(format!("urn:byline:demo:{n}")),
            former_external_ids: Vec::new(),
            version: Some(1),
            headline: Headline::parse(headline)?,
            slug: None,
            old_addresses: Vec::new(),
            dry_run: false,
            page: None,
            standfirst: Some((*standfirst).to_owned()),
            body: RawBody::Html(body),
            section: Some(SectionRef::new(
                Slug::derive(desk.name).expect("desk names make slugs"),
                desk.name,
            )),
            tags: vec![desk.name.to_owned(), "Port Alder".to_owned()],
            byline: Some((*byline).to_owned()),
            language: "en".to_owned(),
            status: Status::Published,
            published_at: Some(published),
            embargo_until: None,
            seo: Default::default(),
            lead_picture: Some(Picture {
                source: PictureSource::Local { key },
                credit: Some("BYLINE DEMO/ILLUSTRATION".to_owned()),
                caption: Some(format!(
                    "An illustration made for the demo story “{headline}”."
                )),
                alt: Some("Abstract illustration: coloured hills under a sun".to_owned()),
                width: Some(1200),
                height: Some(675),
                content_type: Some("image/svg+xml".to_owned()),
                keywords: Vec::new(),
                focus: Default::default(),
                rights: Default::default(),
            }),
            updated_at: published,
            source: "demo".to_owned(),
            overwrite: false,
            undated: false,
        };
        imports::import_item(nr, Actor::System, draft, now).await?;
    }
    Ok(STORIES.len())
}

/// A 1200×675 landscape whose colours and shapes follow from `seed`.
fn illustration(seed: usize) -> String {
    let hue = (seed * 47) % 360;
    let sky = format!("hsl({hue},55%,78%)");
    let far = format!("hsl({},35%,45%)", (hue + 40) % 360);
    let near = format!("hsl({},40%,28%)", (hue + 80) % 360);
    let sun_x = 180 + (seed * 97) % 840;
    let sun_y = 120 + (seed * 31) % 160;
    let ridge = |base: usize, step: usize| {
        (0..=12)
            .map(|i| format!("{},{}", i * 100, base + ((i * step + seed * 13) % 90)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1200 675\" width=\"1200\" height=\"675\">\
         <rect width=\"1200\" height=\"675\" fill=\"{sky}\"/>\
         <circle cx=\"{sun_x}\" cy=\"{sun_y}\" r=\"70\" fill=\"hsl(45,95%,62%)\"/>\
         <polygon points=\"0,675 {} 1200,675\" fill=\"{far}\"/>\
         <polygon points=\"0,675 {} 1200,675\" fill=\"{near}\"/></svg>",
        ridge(380, 37),
        ridge(500, 53),
    )
}
