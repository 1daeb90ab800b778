//! A picture's credit line when all it has is a copyright notice: `© Holder`.

/// The credit printed from a copyright notice: the notice with its `Copyright`, `(c)` or
/// `Copr.` wording turned into one `©`, so `Copyright 2026 Reuters` and `(C) Reuters` print
/// as `© 2026 Reuters` and `© Reuters`. `None` for a notice with no holder in it.
pub fn from_copyright(notice: &str) -> Option<String> {
    let mut rest = notice.trim();
    loop {
        let before = rest;
        for word in ["©", "(c)", "copyright", "copr.", "℗"] {
            if rest.len() >= word.len()
                && rest.is_char_boundary(word.len())
                && rest[..word.len()].eq_ignore_ascii_case(word)
            {
                rest = rest[word.len()..].trim_start_matches([' ', ':', '\u{a0}']);
            }
        }
        if rest == before {
            break;
        }
    }
    let holder = rest.split_whitespace().collect::<Vec<_>>().join(" ");
    let holder = without_reservation(&holder);
    let has_name = holder.chars().any(char::is_alphabetic);
    has_name.then(|| format!("© {holder}"))
}

/// The notice without its `All rights reserved`, which names no one.
fn without_reservation(notice: &str) -> &str {
    const RESERVED: &str = "all rights reserved";
    let lower = notice.to_ascii_lowercase();
    match lower.find(RESERVED) {
        Some(at)
            if lower[at + RESERVED.len()..]
                .trim_matches(['.', ' '])
                .is_empty() =>
        {
            notice[..at].trim_end_matches(['.', ',', ';', ' ', '-'])
        }
        _ => notice,
    }
}

#[cfg(test)]
mod tests {
    use super::from_copyright;

    #[test]
    fn notices_print_with_one_copyright_sign() {
        for (notice, credit) in [
            ("Copyright 2026 Reuters", Some("© 2026 Reuters")),
            ("(C) Reuters", Some("© Reuters")),
            ("© 2024 Jane Doe/Agency", Some("© 2024 Jane Doe/Agency")),
            ("©Agence France-Presse", Some("© Agence France-Presse")),
            ("Copyright © 2025  The Times", Some("© 2025 The Times")),
            ("COPR. Acme", Some("© Acme")),
            ("  Acme Photos ", Some("© Acme Photos")),
            ("© 2024", None),
            (
                "© 2026 Reuters. All rights reserved.",
                Some("© 2026 Reuters"),
            ),
            (
                "Copyright 2026 AFP, all rights reserved",
                Some("© 2026 AFP"),
            ),
            ("All Rights Reserved", None),
            ("", None),
        ] {
            assert_eq!(from_copyright(notice).as_deref(), credit, "{notice:?}");
        }
    }
}
