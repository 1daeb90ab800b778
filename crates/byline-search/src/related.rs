//! Stories like a given one, for the article's `Related` block: the words that set its text
//! apart (more-like-this over its text as its own language's analyzer reads it) and its tags, among stories public
//! now, leaving out those the page already shows.

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::{TantivyDocument, Term};

use crate::analysis::{STEMMINGS, stemming_of};
use crate::{Audience, Filters, SearchError, SearchIndex};

/// How much a shared tag counts against a shared distinctive word.
const TAG_BOOST: f32 = 2.0;
/// Words of a summary cut from the text.
const SUMMARY_WORDS: usize = 40;

/// A story found to be like another.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub id: i64,
    pub slug: String,
    pub headline: String,
    /// The opening of its standfirst and text.
    pub summary: String,
    pub when: i64,
}

impl SearchIndex {
    /// Up to `limit` public stories at `now` most like story `id`, best first, none of
    /// `shown`; nothing when the story is not indexed.
    pub fn related(
        &self,
        id: i64,
        shown: &[i64],
        limit: usize,
        now: i64,
    ) -> Result<Vec<Related>, SearchError> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let this = TermQuery::new(Term::from_field_i64(f.id, id), IndexRecordOption::Basic);
        let Some((_, address)) = searcher
            .search(&this, &TopDocs::with_limit(1).order_by_score())?
            .into_iter()
            .next()
        else {
            return Ok(Vec::new());
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let likeness = self.likeness(&searcher, &doc);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(likeness))];
        // Shared tags match stories of every status: the status is narrowed too.
        self.narrow(
            &searcher,
            &mut clauses,
            &Audience::Readers { now },
            &Filters::default(),
            false,
        );
        for excluded in shown.iter().chain([&id]) {
            let term = Term::from_field_i64(f.id, *excluded);
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let mut found = Vec::with_capacity(top.len());
        for (_, address) in top.into_iter().take(limit) {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field| crate::index::stored_text(&doc, field);
            found.push(Related {
                id: doc.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0),
                slug: text(f.slug),
                headline: text(f.title),
                summary: byline_core::excerpt::excerpt(&text(f.body), SUMMARY_WORDS),
                when: doc.get_first(f.when).and_then(|v| v.as_i64()).unwrap_or(0),
            });
        }
        Ok(found)
    }

    /// What makes a story like `doc`: the words that set its text and headline apart (in its
    /// own language's fields), and each of its tags.
    fn likeness(&self, searcher: &tantivy::Searcher, doc: &TantivyDocument) -> BooleanQuery {
        let f = &self.fields;
        let text = |field| crate::index::stored_text(doc, field);
        let stemming = &STEMMINGS[stemming_of(&text(f.language))];
        let tokenized =
            |text| OwnedValue::PreTokStr(crate::analysis::tokenized(&self.index, stemming, text));
        let like = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_max_doc_frequency(searcher.num_docs().max(10) / 5)
            .with_min_term_frequency(1)
            .with_min_word_length(3)
            .with_max_query_terms(24)
            .with_document_fields(vec![
                (f.public.text, vec![tokenized(text(f.body))]),
                (f.public.headline, vec![tokenized(text(f.title))]),
            ]);
        let mut likeness: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, Box::new(like))];
        for tag in doc.get_all(f.tag).filter_map(|v| v.as_str()) {
            let shared =
                TermQuery::new(Term::from_field_text(f.tag, tag), IndexRecordOption::Basic);
            likeness.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(shared), TAG_BOOST)),
            ));
        }
        BooleanQuery::new(likeness)
    }
}
