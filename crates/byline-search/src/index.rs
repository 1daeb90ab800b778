//! The index itself: its schema, writing documents up to a change of the store's log, and
//! answering searches with ranking, filters and snippets.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analysis::{self, STEMMINGS, analyzer_name, stemming_of};
use crate::{Document, Ranking, SearchError};

/// The schema's version: an index written with another is rebuilt, not read.
const FORMAT: u32 = 5;
/// Memory the writer may fill before it writes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// The fields of the schema.
pub(crate) struct Fields {
    pub(crate) id: Field,
    pub(crate) slug: Field,
    pub(crate) status: Field,
    pub(crate) owner: Field,
    pub(crate) when: Field,
    pub(crate) updated: Field,
    pub(crate) language: Field,
    /// The code of the analyzer the story's text went through.
    pub(crate) analyzer: Field,
    /// The same, for published stories only: the analyzers readers' searches read with, so
    /// that a draft in a new language changes nothing readers find.
    pub(crate) public_analyzer: Field,
    pub(crate) section: Field,
    pub(crate) section_name: Field,
    pub(crate) author: Field,
    pub(crate) tag: Field,
    /// The headline as written, for showing.
    pub(crate) title: Field,
    /// The standfirst and body as written, for snippets.
    pub(crate) body: Field,
    /// The terms of published stories: all that readers' searches, suggestions and Related
    /// ever read, so that no term, statistic or prefix of unpublished text reaches them.
    pub(crate) public: FieldSet,
    /// The terms of every other story, which only the newsroom searches.
    pub(crate) newsroom: FieldSet,
}

/// A story's terms, each made by the analyzer of the story's own language (the text comes
/// pre-tokenized), so a word looked for is a term or two whatever the languages in use.
pub(crate) struct FieldSet {
    /// The headline's terms.
    pub(crate) headline: Field,
    /// The terms of everything else (standfirst, body, names, captions).
    pub(crate) text: Field,
}

impl Fields {
    /// The field set a story of this status is indexed in.
    pub(crate) fn set_of(&self, status: &str) -> &FieldSet {
        if status == PUBLISHED {
            &self.public
        } else {
            &self.newsroom
        }
    }
}

/// The status whose stories readers may find (once their time has come).
pub(crate) const PUBLISHED: &str = "published";

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_i64_field("id", INDEXED | STORED),
        slug: builder.add_text_field("slug", STORED),
        status: builder.add_text_field("status", STRING | STORED),
        owner: builder.add_i64_field("owner", INDEXED),
        when: builder.add_i64_field("when", INDEXED | STORED | tantivy::schema::FAST),
        updated: builder.add_i64_field("updated", STORED),
        language: builder.add_text_field("language", STORED),
        analyzer: builder.add_text_field("analyzer", STRING),
        public_analyzer: builder.add_text_field("public_analyzer", STRING),
        section: builder.add_text_field("section", STRING),
        section_name: builder.add_text_field("section_name", STORED),
        author: builder.add_text_field("author", STRING),
        tag: builder.add_text_field("tag", STRING | STORED),
        title: builder.add_text_field("title", STORED),
        body: builder.add_text_field("body", STORED),
        public: FieldSet::add(&mut builder, ""),
        newsroom: FieldSet::add(&mut builder, "newsroom_"),
    };
    (builder.build(), fields)
}

impl FieldSet {
    fn add(builder: &mut tantivy::schema::SchemaBuilder, prefix: &str) -> FieldSet {
        // Text always arrives pre-tokenized; the unstemmed analyzer is named only because a
        // text field must name one.
        let analyzed = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(&analyzer_name(&STEMMINGS[STEMMINGS.len() - 1]))
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        FieldSet {
            headline: builder.add_text_field(&format!("{prefix}headline"), analyzed.clone()),
            text: builder.add_text_field(&format!("{prefix}text"), analyzed),
        }
    }
}

/// Where an index stands in the store's change log: every change up to `change` is in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub format: u32,
    pub change: i64,
}

/// One node's index of stories; shared by the searches and the one task that writes it.
///
/// One process writes an index folder at a time (tantivy's lock): another server on the same
/// data folder opens it to read only, follows the writer's commits, and takes over writing
/// when the writer stops.
pub struct SearchIndex {
    path: PathBuf,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    pub(crate) fields: Fields,
    pub(crate) ranking: Ranking,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("path", &self.path)
            .finish()
    }
}

impl SearchIndex {
    /// A new, empty index in `dir` (created if missing), at change 0.
    pub fn create(dir: &Path, ranking: Ranking) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Folder {
            path: dir.to_owned(),
            source,
        })?;
        let (schema, _) = schema();
        let index = Index::create_in_dir(dir, schema)?;
        let opened = SearchIndex::from_index(dir, index, ranking)?;
        opened.commit(Position {
            format: FORMAT,
            change: 0,
        })?;
        Ok(opened)
    }

    /// The index in `dir`, refused as [`SearchError::OtherFormat`] when another version of
    /// Byline wrote it.
    pub fn open(dir: &Path, ranking: Ranking) -> Result<SearchIndex, SearchError> {
        let index = Index::open_in_dir(dir)?;
        let (expected, _) = schema();
        if index.schema() != expected {
            return Err(SearchError::OtherFormat(dir.to_owned()));
        }
        let opened = SearchIndex::from_index(dir, index, ranking)?;
        match opened.position() {
            Some(p) if p.format == FORMAT => Ok(opened),
            _ => Err(SearchError::OtherFormat(dir.to_owned())),
        }
    }

    fn from_index(dir: &Path, index: Index, ranking: Ranking) -> Result<SearchIndex, SearchError> {
        analysis::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let (_, fields) = schema();
        let opened = SearchIndex {
            path: dir.to_owned(),
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            ranking,
        };
        opened.try_to_write()?;
        Ok(opened)
    }

    /// Takes the index's write lock unless this process holds it already; false while another
    /// process holds it.
    pub fn try_to_write(&self) -> Result<bool, SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if writer.is_some() {
            return Ok(true);
        }
        match self.index.writer_with_num_threads(1, WRITER_MEMORY) {
            Ok(taken) => {
                *writer = Some(taken);
                Ok(true)
            }
            Err(tantivy::TantivyError::LockFailure(..)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Makes searches see the latest commit, whoever made it.
    pub fn refresh(&self) -> Result<(), SearchError> {
        Ok(self.reader.reload()?)
    }

    /// The folder the index lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The change of the store's log the index has taken in, as last committed.
    pub fn position(&self) -> Option<Position> {
        let metas = self.index.load_metas().ok()?;
        serde_json::from_str(metas.payload.as_deref()?).ok()
    }

    /// Stories in the index (every status).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether no story is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replaces `documents`, removes the stories `gone`, and records that the index has now
    /// taken in every change up to `through`; searches see it all at once when this returns.
    pub fn apply(
        &self,
        documents: &[Document],
        gone: &[i64],
        through: i64,
    ) -> Result<(), SearchError> {
        {
            let writer = self.writer();
            let writer = writer.as_ref().ok_or(SearchError::ReadOnly)?;
            for id in gone.iter().chain(documents.iter().map(|d| &d.id)) {
                writer.delete_term(Term::from_field_i64(self.fields.id, *id));
            }
            for document in documents {
                writer.add_document(self.document(document))?;
            }
        }
        self.commit(Position {
            format: FORMAT,
            change: through,
        })
    }

    /// Adds documents known to be new (a rebuild), without committing.
    pub fn add_new(&self, documents: &[Document]) -> Result<(), SearchError> {
        let writer = self.writer();
        let writer = writer.as_ref().ok_or(SearchError::ReadOnly)?;
        for document in documents {
            writer.add_document(self.document(document))?;
        }
        Ok(())
    }

    /// Commits what was added with [`SearchIndex::add_new`] as taking in changes up to `through`,
    /// then merges the rebuilt index into one segment and waits for every merge to end, so
    /// that the server which opens it next searches one segment and starts with no merge
    /// running on its cores.
    pub fn finish(&self, through: i64) -> Result<(), SearchError> {
        self.commit(Position {
            format: FORMAT,
            change: through,
        })?;
        // The merges that commit started end first: a segment already being merged cannot
        // be given to another merge.
        let taken = self.writer().take();
        if let Some(writer) = taken {
            writer.wait_merging_threads()?;
            let mut writer: IndexWriter = self.index.writer_with_num_threads(1, WRITER_MEMORY)?;
            let segments = self.index.searchable_segment_ids()?;
            if segments.len() > 1 {
                writer.merge(&segments).wait()?;
            }
            writer.wait_merging_threads()?;
        }
        self.try_to_write()?;
        self.reader.reload()?;
        Ok(())
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, Option<IndexWriter>> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn commit(&self, position: Position) -> Result<(), SearchError> {
        let payload = serde_json::to_string(&position).expect("a position serializes");
        let mut guard = self.writer();
        let writer = guard.as_mut().ok_or(SearchError::ReadOnly)?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, d: &Document) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_i64(f.id, d.id);
        doc.add_text(f.slug, &d.slug);
        doc.add_text(f.status, &d.status);
        if let Some(owner) = d.owner {
            doc.add_i64(f.owner, owner);
        }
        doc.add_i64(f.when, d.when);
        doc.add_i64(f.updated, d.updated);
        doc.add_text(f.language, &d.language);
        if let Some((slug, name)) = &d.section {
            doc.add_text(f.section, slug);
            doc.add_text(f.section_name, name);
        }
        for (slug, _) in &d.authors {
            doc.add_text(f.author, slug);
        }
        for (slug, _) in &d.tags {
            doc.add_text(f.tag, slug);
        }
        doc.add_text(f.title, &d.headline);
        doc.add_text(f.body, joined(&d.standfirst, &d.body));
        let analyzer = stemming_of(&d.language);
        let set = f.set_of(&d.status);
        doc.add_text(f.analyzer, STEMMINGS[analyzer].code);
        if d.status == PUBLISHED {
            doc.add_text(f.public_analyzer, STEMMINGS[analyzer].code);
        }
        let tokenized = |text: String| analysis::tokenized(&self.index, &STEMMINGS[analyzer], text);
        doc.add_pre_tokenized_text(set.headline, tokenized(d.headline.clone()));
        let names = d.authors.iter().chain(&d.tags).map(|(_, n)| n.as_str());
        let mut text = joined(&d.standfirst, &d.body);
        for extra in names
            .chain(d.section.iter().map(|(_, n)| n.as_str()))
            .chain(d.captions.iter().map(String::as_str))
        {
            text.push('\n');
            text.push_str(extra);
        }
        doc.add_pre_tokenized_text(set.text, tokenized(text));
        doc
    }
}

fn joined(standfirst: &str, body: &str) -> String {
    if standfirst.is_empty() {
        body.to_owned()
    } else {
        format!("{standfirst}\n{body}")
    }
}

/// A stored text field of a found document, empty when it has none.
pub(crate) fn stored_text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned()
}
