//! The index on a small corpus: stemming, accents, phrases, exclusion, audiences, filters,
//! ranking and snippets.

use crate::*;

const DAY: i64 = 86_400;
const NOW: i64 = 1_800_000_000;

fn doc(id: i64, language: &str, headline: &str, body: &str) -> Document {
    Document {
        id,
        slug: format!("story-{id}"),
        status: "published".into(),
        owner: Some(id % 2),
        when: NOW - id * DAY,
        updated: NOW - id * DAY,
        language: language.into(),
        headline: headline.into(),
        standfirst: String::new(),
        body: body.into(),
        section: Some(("world".into(), "World".into())),
        authors: vec![("jane-doe".into(), "Jane Doe".into())],
        tags: Vec::new(),
        captions: Vec::new(),
    }
}

/// A new index with nothing in it, in a folder removed when the first is dropped.
pub(crate) fn empty_index() -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::create(dir.path(), Ranking::default()).unwrap();
    (dir, index)
}

fn corpus() -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::create(dir.path(), Ranking::default()).unwrap();
    let mut draft = doc(6, "en", "Secret plans for the harbour", "Not yet public.");
    draft.status = "draft".into();
    let mut future = doc(7, "en", "Harbour opens tomorrow", "Embargoed.");
    future.when = NOW + DAY;
    let mut sport = doc(8, "en", "Cup final in Zurich", "The harbour team won.");
    sport.section = Some(("sport".into(), "Sport".into()));
    sport.tags = vec![("football".into(), "Football".into())];
    let docs = vec![
        doc(
            1,
            "en",
            "Haftar rejects call for ceasefire",
            "The Berlin peace process continues in Tripoli.",
        ),
        doc(
            2,
            "de",
            "Waffenruhe in Libyen gebrochen",
            "Die Kämpfe um Tripolis gehen weiter. Zürich meldet nichts.",
        ),
        doc(
            3,
            "en",
            "Peace talks stall",
            "There is no process, and peace is far away.",
        ),
        doc(
            4,
            "fr",
            "Élections en France",
            "Les électeurs votent dimanche.",
        ),
        doc(5, "sv", "Val i Sverige", "Väljarna röstar på söndag."),
        draft,
        future,
        sport,
    ];
    index.apply(&docs, &[], 42).unwrap();
    (dir, index)
}

fn ids(index: &SearchIndex, text: &str) -> Vec<i64> {
    ids_with(
        index,
        text,
        Filters::default(),
        Audience::Readers { now: NOW },
    )
}

fn ids_with(index: &SearchIndex, text: &str, filters: Filters, audience: Audience) -> Vec<i64> {
    let query = UserQuery::parse(text, false).unwrap();
    let found = index
        .search(&Search {
            query: &query,
            audience,
            filters,
            offset: 0,
            limit: 10,
        })
        .unwrap();
    found.hits.iter().map(|h| h.id).collect()
}

#[test]
fn stems_each_story_in_its_own_language() {
    let (_dir, index) = corpus();
    assert_eq!(ids(&index, "ceasefires"), vec![1]);
    assert_eq!(ids(&index, "Waffenruhen"), vec![2]);
    assert_eq!(ids(&index, "election"), vec![4]);
    assert_eq!(
        ids(&index, "väljare"),
        vec![5],
        "Swedish: väljare and Väljarna share a stem"
    );
    assert!(ids(&index, "ceasefirez").is_empty());
}

#[test]
fn accents_fold_both_ways() {
    let (_dir, index) = corpus();
    assert_eq!(ids(&index, "Zurich"), vec![8, 2]);
    assert_eq!(ids(&index, "ELECTIONS"), vec![4]);
}

#[test]
fn phrases_exclusions_and_alternatives() {
    let (_dir, index) = corpus();
    assert_eq!(ids(&index, "\"peace process\""), vec![1]);
    let mut both = ids(&index, "peace process");
    both.sort();
    assert_eq!(both, vec![1, 3]);
    assert_eq!(ids(&index, "peace -Berlin"), vec![3]);
    let mut either = ids(&index, "Haftar OR talks");
    either.sort();
    assert_eq!(either, vec![1, 3]);
}

#[test]
fn readers_find_only_what_is_public_now() {
    let (_dir, index) = corpus();
    assert_eq!(ids(&index, "harbour"), vec![8]);
    let mut newsroom = ids_with(
        &index,
        "harbour",
        Filters::default(),
        Audience::Newsroom {
            status: None,
            own_or_public: None,
        },
    );
    newsroom.sort();
    assert_eq!(newsroom, vec![6, 7, 8]);
    let drafts = ids_with(
        &index,
        "harbour",
        Filters::default(),
        Audience::Newsroom {
            status: Some("draft".into()),
            own_or_public: None,
        },
    );
    assert_eq!(drafts, vec![6]);
    // Story 6 (a draft) is member 0's; member 1 sees only their own and published ones.
    let mut others = ids_with(
        &index,
        "harbour",
        Filters::default(),
        Audience::Newsroom {
            status: None,
            own_or_public: Some(1),
        },
    );
    others.sort();
    assert_eq!(others, vec![7, 8]);
}

#[test]
fn once_no_story_waits_readers_still_find_only_published_ones() {
    // Two days on, story 7's time has come and no indexed story is dated later: the search
    // runs without its time bound, and the draft (6) must still not be found.
    let (_dir, index) = corpus();
    let later = Audience::Readers { now: NOW + 2 * DAY };
    let mut found = ids_with(&index, "harbour", Filters::default(), later.clone());
    found.sort();
    assert_eq!(found, vec![7, 8]);
    // A date range of the reader's own still narrows.
    let until = Filters {
        until: Some(NOW),
        ..Filters::default()
    };
    assert_eq!(ids_with(&index, "harbour", until, later), vec![8]);
}

#[test]
fn filters_narrow_by_section_tag_author_and_date() {
    let (_dir, index) = corpus();
    let readers = Audience::Readers { now: NOW };
    let sport = Filters {
        section: Some("sport".into()),
        ..Filters::default()
    };
    assert_eq!(ids_with(&index, "Zurich", sport, readers.clone()), vec![8]);
    let football = Filters {
        tag: Some("football".into()),
        ..Filters::default()
    };
    assert_eq!(
        ids_with(&index, "harbour", football, readers.clone()),
        vec![8]
    );
    let nobody = Filters {
        author: Some("someone-else".into()),
        ..Filters::default()
    };
    assert!(ids_with(&index, "peace", nobody, readers.clone()).is_empty());
    let old = Filters {
        until: Some(NOW - 2 * DAY),
        ..Filters::default()
    };
    assert_eq!(ids_with(&index, "peace", old, readers), vec![3]);
}

#[test]
fn headline_matches_and_recent_stories_rank_first() {
    let (_dir, index) = corpus();
    // Story 3 has "peace" in its headline; story 1 only in its body and is older by 2 days.
    assert_eq!(ids(&index, "peace")[0], 3);
}

#[test]
fn snippets_mark_the_matches_and_escape_the_text() {
    let (_dir, index) = corpus();
    index
        .apply(
            &[doc(
                9,
                "en",
                "Fish & <chips>",
                "A <b>bold</b> claim about chips.",
            )],
            &[],
            43,
        )
        .unwrap();
    let query = UserQuery::parse("chips", false).unwrap();
    let found = index
        .search(&Search {
            query: &query,
            audience: Audience::Readers { now: NOW },
            filters: Filters::default(),
            offset: 0,
            limit: 10,
        })
        .unwrap();
    let hit = &found.hits[0];
    assert_eq!(hit.headline_html, "Fish &amp; &lt;<mark>chips</mark>&gt;");
    assert!(
        hit.snippet_html.contains("&lt;b&gt;bold&lt;/b&gt;"),
        "{}",
        hit.snippet_html
    );
    assert!(
        hit.snippet_html.contains("<mark>chips</mark>"),
        "{}",
        hit.snippet_html
    );
}

#[test]
fn typing_matches_the_last_word_as_a_prefix() {
    let (_dir, index) = corpus();
    let query = UserQuery::parse("Waffenru", true).unwrap();
    let found = index
        .search(&Search {
            query: &query,
            audience: Audience::Readers { now: NOW },
            filters: Filters::default(),
            offset: 0,
            limit: 5,
        })
        .unwrap();
    assert_eq!(found.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![2]);
}

#[test]
fn replacing_and_removing_stories_and_reopening_keeps_the_position() {
    let (dir, index) = corpus();
    let mut changed = doc(
        1,
        "en",
        "Haftar accepts truce",
        "Nothing about that word now.",
    );
    changed.when = NOW - DAY;
    index.apply(&[changed], &[3], 50).unwrap();
    assert!(ids(&index, "ceasefire").is_empty());
    assert_eq!(ids(&index, "truce"), vec![1]);
    assert!(ids(&index, "talks").is_empty());
    drop(index);
    let reopened = SearchIndex::open(dir.path(), Ranking::default()).unwrap();
    assert_eq!(reopened.position().unwrap().change, 50);
    assert_eq!(ids(&reopened, "truce"), vec![1]);
}

#[test]
fn hostile_queries_find_nothing_without_failing() {
    let (_dir, index) = corpus();
    for text in [
        "\"",
        "(((",
        "AND OR NOT",
        "-peace",
        "\u{0}",
        "*",
        "title:peace",
        "peace^9",
        "[a TO z]",
    ] {
        let query = UserQuery::parse(text, true).unwrap();
        index
            .search(&Search {
                query: &query,
                audience: Audience::Readers { now: NOW },
                filters: Filters::default(),
                offset: 0,
                limit: 10,
            })
            .unwrap();
    }
    assert_eq!(ids(&index, "title:peace"), Vec::<i64>::new());
}

#[test]
fn related_stories_share_words_or_tags_and_leave_out_what_is_shown() {
    let (_dir, index) = corpus();
    let mut tagged = doc(10, "en", "Stadium plans", "A new ground for the club.");
    tagged.tags = vec![("football".into(), "Football".into())];
    let mut talks = doc(
        11,
        "en",
        "Ceasefire talks in Berlin",
        "Haftar and Tripoli: the ceasefire and peace process.",
    );
    talks.when = NOW - 3 * DAY;
    index.apply(&[tagged, talks], &[], 44).unwrap();
    let like = |id, shown: &[i64]| -> Vec<i64> {
        index
            .related(id, shown, 3, NOW)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(
        like(1, &[])[0],
        11,
        "the story sharing its distinctive words comes first"
    );
    assert!(!like(1, &[]).contains(&1), "never itself");
    assert!(!like(1, &[11]).contains(&11), "never what the page shows");
    assert!(like(8, &[]).contains(&10), "a shared tag relates");
    assert!(
        !like(1, &[]).contains(&6) && !like(1, &[]).contains(&7),
        "only public stories"
    );
    assert!(like(999, &[]).is_empty());
}

#[test]
fn unpublished_words_never_reach_readers_even_as_prefixes() {
    let (_dir, index) = corpus();
    let mut draft = doc(12, "en", "Zymurgy secrets", "Zymurgical notes.");
    draft.status = "draft".into();
    index.apply(&[draft], &[], 45).unwrap();
    let readers = |text: &str| {
        let query = UserQuery::parse(text, true).unwrap();
        let search = Search {
            query: &query,
            audience: Audience::Readers { now: NOW },
            filters: Filters::default(),
            offset: 0,
            limit: 10,
        };
        index.search(&search).unwrap().total
    };
    assert_eq!(readers("zymu"), 0);
    assert_eq!(readers("secrets"), 0);
    let newsroom = ids_with(
        &index,
        "zymurgy",
        Filters::default(),
        Audience::Newsroom {
            status: None,
            own_or_public: None,
        },
    );
    assert_eq!(newsroom, vec![12]);
}

#[test]
fn a_snippet_comes_from_where_the_words_are_in_a_long_text() {
    let (_dir, index) = corpus();
    let long = format!(
        "{} The flamingo parade ended at dusk.",
        "Nothing happened here. ".repeat(200)
    );
    index
        .apply(&[doc(13, "en", "A long day", &long)], &[], 46)
        .unwrap();
    let query = UserQuery::parse("flamingos", false).unwrap();
    let search = Search {
        query: &query,
        audience: Audience::Readers { now: NOW },
        filters: Filters::default(),
        offset: 0,
        limit: 1,
    };
    let hit = &index.search(&search).unwrap().hits[0];
    assert!(hit.snippet_html.starts_with("… "), "{}", hit.snippet_html);
    assert!(
        hit.snippet_html.contains("<mark>flamingo</mark>"),
        "{}",
        hit.snippet_html
    );
}

#[test]
fn a_draft_in_a_new_language_changes_nothing_readers_find() {
    let (_dir, index) = empty_index();
    // Only English is published; German stems `Wahlen` to `wahl`, English keeps `wahlen`.
    let english = doc(1, "en", "Wahl night in the valley", "The Wahl was held.");
    let mut german = doc(2, "de", "Die Wahlen", "Geheime Wahlen.");
    german.status = "draft".into();
    index.apply(&[english, german.clone()], &[], 1).unwrap();
    assert!(
        ids(&index, "Wahlen").is_empty(),
        "read the German way only once a German story is public"
    );
    german.status = "published".into();
    index.apply(&[german], &[], 2).unwrap();
    let mut found = ids(&index, "Wahlen");
    found.sort();
    assert_eq!(found, vec![1, 2]);
}
