//! What a database error means for the caller: a moment of unavailability or a defect of
//! Byline's own; decided here once for every query of both backends. A conflict the caller can
//! name (a slug or an address in use) is named where it can happen, never guessed here.

use byline_core::store::StoreError;

/// Maps a database error to the store's error. Connection and pool trouble, and the codes the
/// backend calls passing ([`retryable`]: busy, locked, a lost connection, a failover) are unavailability (try again shortly); anything else — a constraint no code path
/// names, a value that does not decode, a row that should be there — is a defect, logged and
/// answered 500 without its details.
pub fn db_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
        sqlx::Error::Database(db) if retryable(&db.code().unwrap_or_default()) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Defect(e.to_string()),
    }
}

/// Whether a database error code means "not now". The two backends' codes cannot be taken for
/// each other: PostgreSQL's are five-character SQLSTATEs, SQLite's are numbers below 10,000.
///
/// PostgreSQL: a connection exception (class 08), a serialization failure or deadlock (40),
/// too many connections or no space (53), an operator intervention such as a shutdown (57),
/// a system error (58), or a write on a standby during a failover (25006). SQLite: busy or
/// locked by another writer, or unable to write at the moment (read-only, an I/O error, disk
/// full), whatever its extended code.
fn retryable(code: &str) -> bool {
    if code.len() == 5 {
        return ["08", "40", "53", "57", "58"]
            .iter()
            .any(|class| code.starts_with(class))
            || code == "25006";
    }
    const BUSY: i64 = 5;
    const LOCKED: i64 = 6;
    const READONLY: i64 = 8;
    const IOERR: i64 = 10;
    const FULL: i64 = 13;
    code.parse::<i64>()
        .is_ok_and(|n| matches!(n & 0xff, BUSY | LOCKED | READONLY | IOERR | FULL))
}

#[cfg(test)]
mod tests {
    use super::retryable;

    #[test]
    fn sqlite_busy_locked_and_unwritable_are_worth_retrying() {
        // BUSY, LOCKED, BUSY_SNAPSHOT, LOCKED_SHAREDCACHE, READONLY, IOERR_WRITE, FULL.
        for code in ["5", "6", "517", "262", "8", "778", "13"] {
            assert!(retryable(code), "{code}");
        }
        // CONSTRAINT_UNIQUE, CONSTRAINT, ERROR, MISMATCH, no code.
        for code in ["2067", "19", "1", "20", ""] {
            assert!(!retryable(code), "{code}");
        }
    }

    #[test]
    fn postgres_lost_connections_conflicts_and_failovers_are_worth_retrying() {
        for code in [
            "08006", "08001", "40001", "40P01", "53300", "57P01", "58030", "25006",
        ] {
            assert!(retryable(code), "{code}");
        }
        // unique_violation, insufficient_privilege, a NUL in text (character_not_in_repertoire
        // and untranslatable_character), undefined_table, invalid_text_representation.
        for code in ["23505", "42501", "22021", "22P05", "42P01", "22P02"] {
            assert!(!retryable(code), "{code}");
        }
    }
}
