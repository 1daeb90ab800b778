//! How text becomes terms: one analyzer per stemmed language and one unstemmed, each
//! lower-casing, stemming and then folding accents (`Zürich` and `Zurich` meet).

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, PreTokenizedString, RemoveLongFilter,
    SimpleTokenizer, Stemmer, TextAnalyzer,
};

/// Words longer than this (in bytes) are not indexed: they are not words.
const LONGEST_TERM: usize = 48;

/// A language the index stems, by the primary subtag of a BCP 47 tag; `None` is the
/// unstemmed fallback for every other language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stemming {
    pub code: &'static str,
    pub language: Option<Language>,
}

/// Every analyzer the index has, the unstemmed one last.
pub(crate) const STEMMINGS: [Stemming; 12] = [
    Stemming {
        code: "en",
        language: Some(Language::English),
    },
    Stemming {
        code: "de",
        language: Some(Language::German),
    },
    Stemming {
        code: "fr",
        language: Some(Language::French),
    },
    Stemming {
        code: "es",
        language: Some(Language::Spanish),
    },
    Stemming {
        code: "it",
        language: Some(Language::Italian),
    },
    Stemming {
        code: "no",
        language: Some(Language::Norwegian),
    },
    Stemming {
        code: "sv",
        language: Some(Language::Swedish),
    },
    Stemming {
        code: "da",
        language: Some(Language::Danish),
    },
    Stemming {
        code: "nl",
        language: Some(Language::Dutch),
    },
    Stemming {
        code: "pt",
        language: Some(Language::Portuguese),
    },
    Stemming {
        code: "fi",
        language: Some(Language::Finnish),
    },
    Stemming {
        code: "plain",
        language: None,
    },
];

/// The position in [`STEMMINGS`] of the analyzer for a BCP 47 language tag.
pub(crate) fn stemming_of(tag: &str) -> usize {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    // Norwegian Bokmål and Nynorsk share the Norwegian stemmer.
    let primary = match primary.as_str() {
        "nb" | "nn" => "no",
        other => other,
    };
    STEMMINGS
        .iter()
        .position(|s| s.code == primary)
        .unwrap_or(STEMMINGS.len() - 1)
}

/// The name an analyzer is registered under.
pub(crate) fn analyzer_name(stemming: &Stemming) -> String {
    format!("byline_{}", stemming.code)
}

/// A new analyzer for `stemming`'s language.
pub(crate) fn analyzer(stemming: &Stemming) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TERM))
        .filter(LowerCaser);
    match stemming.language {
        Some(language) => base
            .filter(Stemmer::new(language))
            .filter(AsciiFoldingFilter)
            .build(),
        None => base.filter(AsciiFoldingFilter).build(),
    }
}

/// Registers every analyzer with the index (they are not stored in it).
pub(crate) fn register(index: &Index) {
    for stemming in &STEMMINGS {
        index
            .tokenizers()
            .register(&analyzer_name(stemming), analyzer(stemming));
    }
}

/// The terms `text` becomes under analyzer `stemming`.
pub(crate) fn terms(index: &Index, stemming: &Stemming, text: &str) -> Vec<String> {
    let Some(mut analyzer) = index.tokenizers().get(&analyzer_name(stemming)) else {
        return Vec::new();
    };
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// `text` with the tokens analyzer `stemming` makes of it, for a field that takes text
/// pre-tokenized.
pub(crate) fn tokenized(index: &Index, stemming: &Stemming, text: String) -> PreTokenizedString {
    let mut tokens = Vec::new();
    if let Some(mut analyzer) = index.tokenizers().get(&analyzer_name(stemming)) {
        let mut stream = analyzer.token_stream(&text);
        while stream.advance() {
            tokens.push(stream.token().clone());
        }
    }
    PreTokenizedString { text, tokens }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let index = Index::create_in_ram(tantivy::schema::Schema::builder().build());
        register(&index);
        index
    }

    #[test]
    fn plurals_meet_their_singulars_in_each_language() {
        let index = index();
        let en = &STEMMINGS[stemming_of("en-GB")];
        assert_eq!(
            terms(&index, en, "ceasefires"),
            terms(&index, en, "ceasefire")
        );
        let de = &STEMMINGS[stemming_of("de")];
        assert_eq!(
            terms(&index, de, "Waffenruhen"),
            terms(&index, de, "Waffenruhe")
        );
        let fr = &STEMMINGS[stemming_of("fr")];
        assert_eq!(
            terms(&index, fr, "élections"),
            terms(&index, fr, "election")
        );
    }

    #[test]
    fn accents_fold_after_stemming() {
        let index = index();
        for code in ["de", "en", "plain"] {
            let stemming = &STEMMINGS[stemming_of(code)];
            assert_eq!(
                terms(&index, stemming, "Zürich"),
                terms(&index, stemming, "Zurich")
            );
        }
    }

    #[test]
    fn unknown_and_regional_tags_choose_sensibly() {
        assert_eq!(STEMMINGS[stemming_of("nb-NO")].code, "no");
        assert_eq!(STEMMINGS[stemming_of("SV")].code, "sv");
        assert_eq!(STEMMINGS[stemming_of("tlh")].code, "plain");
        assert_eq!(STEMMINGS[stemming_of("")].code, "plain");
    }
}
