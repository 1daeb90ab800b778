//! How a newsroom prints a picture's credit: a pattern of alternatives such as
//! `{credit}/{byline} | {credit} | {byline}`, the first whose fields all exist (and differ)
//! giving the credit line.

use super::PhotoMetadata;

/// The fields a pattern may name.
const FIELDS: [&str; 4] = ["credit", "byline", "source", "copyright"];

/// The agencies' way: `EPA/MAXIM SHIPENKOV`, else whichever of the two exists.
pub const DEFAULT_PATTERN: &str = "{credit}/{byline} | {credit} | {byline}";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(&'static str),
}

/// A parsed credit pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditPattern {
    alternatives: Vec<Vec<Piece>>,
}

/// Why a pattern cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("unknown field {{{0}}} (use {{credit}}, {{byline}}, {{source}} or {{copyright}})")]
    UnknownField(String),
    #[error("a {{ is not closed")]
    Unclosed,
    #[error("alternative {0} names no field")]
    NoField(usize),
}

impl Default for CreditPattern {
    fn default() -> CreditPattern {
        CreditPattern::parse(DEFAULT_PATTERN).expect("the default pattern parses")
    }
}

impl CreditPattern {
    pub fn parse(pattern: &str) -> Result<CreditPattern, PatternError> {
        let mut alternatives = Vec::new();
        for (n, alternative) in pattern.split('|').enumerate() {
            let mut pieces = Vec::new();
            let mut rest = alternative.trim();
            while let Some(open) = rest.find('{') {
                if open > 0 {
                    pieces.push(Piece::Text(rest[..open].to_owned()));
                }
                let close = rest[open..].find('}').ok_or(PatternError::Unclosed)? + open;
                let name = &rest[open + 1..close];
                let field = FIELDS
                    .into_iter()
                    .find(|f| *f == name)
                    .ok_or_else(|| PatternError::UnknownField(name.to_owned()))?;
                pieces.push(Piece::Field(field));
                rest = &rest[close + 1..];
            }
            if !rest.is_empty() {
                pieces.push(Piece::Text(rest.to_owned()));
            }
            if !pieces.iter().any(|p| matches!(p, Piece::Field(_))) {
                return Err(PatternError::NoField(n + 1));
            }
            alternatives.push(pieces);
        }
        Ok(CreditPattern { alternatives })
    }

    /// The credit line for `metadata`: the first alternative whose fields all have values, no
    /// two of them the same; when none fits, the copyright notice as `© Holder`; `None` for a
    /// picture with neither.
    pub fn apply(&self, metadata: &PhotoMetadata) -> Option<String> {
        let byline = Some(metadata.creators.join(", ")).filter(|b| !b.is_empty());
        let value = |field: &str| match field {
            "credit" => metadata.credit.clone(),
            "byline" => byline.clone(),
            "source" => metadata.source.clone(),
            _ => metadata.copyright.clone(),
        };
        'alternatives: for pieces in &self.alternatives {
            let mut line = String::new();
            let mut used: Vec<String> = Vec::new();
            for piece in pieces {
                match piece {
                    Piece::Text(text) => line.push_str(text),
                    Piece::Field(field) => {
                        let Some(v) = value(field).filter(|v| !used.contains(v)) else {
                            continue 'alternatives;
                        };
                        line.push_str(&v);
                        used.push(v);
                    }
                }
            }
            return Some(line);
        }
        // The last resort: a picture with any rights line has a credit (`© Holder`).
        metadata
            .copyright
            .as_deref()
            .and_then(byline_core::credit::from_copyright)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(credit: Option<&str>, creators: &[&str]) -> PhotoMetadata {
        PhotoMetadata {
            credit: credit.map(str::to_owned),
            creators: creators.iter().map(|c| (*c).to_owned()).collect(),
            copyright: Some("© 2026 Agency".into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_default_prints_credit_slash_byline_else_whichever_exists() {
        let agencies = CreditPattern::default();
        let line = |credit, creators: &[&str]| agencies.apply(&photo(credit, creators));
        assert_eq!(
            line(Some("EPA"), &["MAXIM SHIPENKOV"]).as_deref(),
            Some("EPA/MAXIM SHIPENKOV")
        );
        assert_eq!(line(Some("EPA"), &["EPA"]).as_deref(), Some("EPA"));
        assert_eq!(line(None, &["A", "B"]).as_deref(), Some("A, B"));
        assert_eq!(line(Some("AP"), &[]).as_deref(), Some("AP"));
        assert_eq!(agencies.apply(&PhotoMetadata::default()), None);
        // A picture with only a copyright notice is credited to its holder.
        let rights_only = PhotoMetadata {
            copyright: Some("Copyright 2026 Acme Photos".into()),
            ..Default::default()
        };
        assert_eq!(
            agencies.apply(&rights_only).as_deref(),
            Some("© 2026 Acme Photos")
        );
    }

    #[test]
    fn a_newsroom_pattern_falls_back_in_order() {
        let house =
            CreditPattern::parse("Photo: {byline} ({credit}) | Photo: {byline} | {copyright}")
                .unwrap();
        assert_eq!(
            house
                .apply(&photo(Some("Reuters"), &["Jane Roe"]))
                .as_deref(),
            Some("Photo: Jane Roe (Reuters)")
        );
        assert_eq!(
            house.apply(&photo(None, &["Jane Roe"])).as_deref(),
            Some("Photo: Jane Roe")
        );
        assert_eq!(
            house.apply(&photo(Some("Reuters"), &[])).as_deref(),
            Some("© 2026 Agency")
        );
        assert_eq!(
            CreditPattern::parse("{credit} / {photographer}"),
            Err(PatternError::UnknownField("photographer".into()))
        );
        assert_eq!(CreditPattern::parse("{credit"), Err(PatternError::Unclosed));
        assert_eq!(
            CreditPattern::parse("{credit} | Photo"),
            Err(PatternError::NoField(2))
        );
    }
}
