//! Answering a search: the analyzers in use, the audience's fields and filters, relevance
//! weighed for recency, and each hit with its marked headline and snippet.

use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, TantivyDocument, Term};

use crate::analysis::{STEMMINGS, stemming_of};
use crate::index::{FieldSet, PUBLISHED};
use crate::{Audience, Filters, Found, Hit, Ranking, Search, SearchError, SearchIndex};

const SECONDS_PER_DAY: f32 = 86_400.0;
/// Candidates beyond the page that recency may lift onto it.
const RERANK_MARGIN: usize = 100;

impl SearchIndex {
    /// The analyzers some story the audience may find uses: a site in two languages reads a
    /// word two ways, not twelve, and readers only as published stories need.
    fn analyzers_in_use(
        &self,
        searcher: &tantivy::Searcher,
        audience: &Audience,
    ) -> Result<Vec<usize>, SearchError> {
        let field = match audience {
            Audience::Readers { .. } => self.fields.public_analyzer,
            Audience::Newsroom { .. } => self.fields.analyzer,
        };
        let mut used = Vec::new();
        for (position, stemming) in STEMMINGS.iter().enumerate() {
            let term = Term::from_field_text(field, stemming.code);
            if searcher.doc_freq(&term)? > 0 {
                used.push(position);
            }
        }
        Ok(used)
    }

    /// The field sets an audience searches: readers only published stories' terms.
    fn sets(&self, audience: &Audience) -> Vec<&FieldSet> {
        match audience {
            Audience::Readers { .. } => vec![&self.fields.public],
            Audience::Newsroom { .. } => vec![&self.fields.public, &self.fields.newsroom],
        }
    }

    /// One page of the stories `search` finds, best first, with how many there are in all.
    pub fn search(&self, search: &Search<'_>) -> Result<Found, SearchError> {
        let searcher = self.reader.searcher();
        let analyzers = self.analyzers_in_use(&searcher, &search.audience)?;
        let Some(words) = search.query.to_query(
            &self.sets(&search.audience),
            &analyzers,
            &self.index,
            self.ranking.headline_boost,
        ) else {
            return Ok(Found {
                total: 0,
                hits: Vec::new(),
            });
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, words)];
        // Readers' words are looked for only in published stories' fields.
        let confined = matches!(search.audience, Audience::Readers { .. });
        let now = self.narrow(
            &searcher,
            &mut clauses,
            &search.audience,
            &search.filters,
            confined,
        );
        let query = BooleanQuery::new(clauses);
        // One pass counts every match and keeps the best: the audience's clauses (a range
        // over every story's time) are evaluated once, not once per collector.
        let candidates = search.offset + search.limit.max(1) + RERANK_MARGIN;
        let best = TopDocs::with_limit(candidates).order_by_score();
        let (total, found) = searcher.search(&query, &(Count, best))?;
        let top = self.ranked(&searcher, found, now, search.offset, search.limit);
        let hits = self.hits(&searcher, &query, &top, &search.query.probes())?;
        Ok(Found {
            total,
            hits: if search.limit == 0 { Vec::new() } else { hits },
        })
    }

    /// The hits from `offset` on, best first: the best by relevance alone (`found`) weighed
    /// for recency among themselves (a margin of extra candidates lets a recent story climb
    /// past older ones of slightly higher relevance).
    fn ranked(
        &self,
        searcher: &tantivy::Searcher,
        found: Vec<(f32, DocAddress)>,
        now: i64,
        offset: usize,
        limit: usize,
    ) -> Vec<(f32, DocAddress)> {
        let mut columns = std::collections::HashMap::new();
        let mut weighed = Vec::with_capacity(found.len());
        for (score, address) in found {
            let column = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(c) => c.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .i64("when")
                        .ok(),
                ),
            };
            let published = column
                .as_ref()
                .and_then(|c| c.first(address.doc_id))
                .unwrap_or(now);
            weighed.push((score * recency(&self.ranking, now - published), address));
        }
        weighed.sort_by(|a, b| b.0.total_cmp(&a.0));
        weighed.into_iter().skip(offset).take(limit).collect()
    }

    /// Adds the audience's and the filters' clauses; returns the time recency is measured from.
    /// `confined` says the clauses already match published stories only, so readers need no
    /// clause on the status. A clause that could exclude nothing is left out: each costs a
    /// seek per candidate.
    pub(crate) fn narrow(
        &self,
        searcher: &tantivy::Searcher,
        clauses: &mut Vec<(Occur, Box<dyn Query>)>,
        audience: &Audience,
        filters: &Filters,
        confined: bool,
    ) -> i64 {
        let f = &self.fields;
        let exact = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        let (now, status, until) = match audience {
            Audience::Readers { now } => {
                let until = filters.until.map_or(*now + 1, |u| u.min(*now + 1));
                // Published stories dated later are not public yet: only a story dated at or
                // after `until` makes the bound matter.
                let bounded = filters.until.is_some() || latest(searcher) >= until;
                (
                    *now,
                    (!confined).then_some(PUBLISHED),
                    bounded.then_some(until),
                )
            }
            Audience::Newsroom {
                status,
                own_or_public,
            } => {
                if let Some(me) = own_or_public {
                    let own: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_i64(f.owner, *me),
                        IndexRecordOption::Basic,
                    ));
                    let either = BooleanQuery::new(vec![
                        (Occur::Should, own),
                        (Occur::Should, exact(f.status, "published")),
                    ]);
                    clauses.push((Occur::Must, Box::new(either)));
                }
                (unix_now(), status.as_deref(), filters.until)
            }
        };
        if let Some(status) = status {
            clauses.push((Occur::Must, exact(f.status, status)));
        }
        for (field, value) in [
            (f.section, &filters.section),
            (f.author, &filters.author),
            (f.tag, &filters.tag),
        ] {
            if let Some(value) = value {
                clauses.push((Occur::Must, exact(field, value)));
            }
        }
        if filters.since.is_some() || until.is_some() {
            let lower = filters.since.map_or(Bound::Unbounded, |s| {
                Bound::Included(Term::from_field_i64(f.when, s))
            });
            let upper = until.map_or(Bound::Unbounded, |u| {
                Bound::Excluded(Term::from_field_i64(f.when, u))
            });
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        now
    }

    fn hits(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        top: &[(f32, DocAddress)],
        probes: &[String],
    ) -> Result<Vec<Hit>, SearchError> {
        let f = &self.fields;
        // Per analyzer, for published stories' fields and then the others'.
        let mut generators: Vec<Option<(SnippetGenerator, SnippetGenerator)>> =
            (0..2 * STEMMINGS.len()).map(|_| None).collect();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(*address)?;
            let text = |field| crate::index::stored_text(&doc, field);
            let analyzer = stemming_of(&text(f.language));
            let status = text(f.status);
            let set = f.set_of(&status);
            let slot = analyzer + usize::from(status != PUBLISHED) * STEMMINGS.len();
            if generators[slot].is_none() {
                let stemming = &STEMMINGS[analyzer];
                let made = |field, chars| {
                    crate::highlight::generator(searcher, query, field, stemming, chars)
                };
                let headline = made(set.headline, 1_000)?;
                let body = made(set.text, crate::highlight::SNIPPET_CHARS)?;
                generators[slot] = Some((headline, body));
            }
            let (headline_generator, body_generator) =
                generators[slot].as_ref().expect("made above");
            let title = text(f.title);
            let body = text(f.body);
            hits.push(Hit {
                id: doc.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0),
                slug: text(f.slug),
                status,
                when: doc.get_first(f.when).and_then(|v| v.as_i64()).unwrap_or(0),
                updated: doc
                    .get_first(f.updated)
                    .and_then(|v| v.as_i64())
                    .unwrap_or(0),
                section: doc
                    .get_first(f.section_name)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
                headline_html: crate::highlight::marked(headline_generator, &title),
                snippet_html: crate::highlight::snippet(body_generator, &body, probes),
                score: *score,
            });
        }
        Ok(hits)
    }
}

/// The latest time any indexed story (of any status, deleted ones included) is dated:
/// the greatest value of the `when` column over every segment, read from each column's
/// header. `i64::MAX` when a column cannot be read, so that no bound is ever dropped wrongly.
fn latest(searcher: &tantivy::Searcher) -> i64 {
    searcher
        .segment_readers()
        .iter()
        .map(|segment| match segment.fast_fields().i64("when") {
            Ok(column) if segment.max_doc() > 0 => column.max_value(),
            Ok(_) => i64::MIN,
            Err(_) => i64::MAX,
        })
        .max()
        .unwrap_or(i64::MIN)
}

/// The factor a story's score is multiplied by for being `age_seconds` old.
fn recency(ranking: &Ranking, age_seconds: i64) -> f32 {
    let days = (age_seconds.max(0) as f32) / SECONDS_PER_DAY;
    let half_life = ranking.recency_half_life_days.max(0.01);
    1.0 + ranking.recency_boost * 0.5f32.powf(days / half_life)
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}
