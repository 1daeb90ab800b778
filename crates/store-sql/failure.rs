//! What a database error means for the caller: a named conflict, a moment of unavailability,
//! or a defect; decided here once for every query of both backends.

use byline_core::store::StoreError;

/// Maps a database error to the store's error. Connection and pool trouble, a busy or locked
/// database, a deadlock or a serialization failure are unavailability (try again shortly); a
/// unique violation is a conflict; a broken constraint is invalid data; anything else is a
/// defect of Byline's own (a query or a schema that does not match).
pub(crate) fn db_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
        sqlx::Error::RowNotFound => StoreError::NotFound(e.to_string()),
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if retryable(&code) {
                StoreError::Unavailable(e.to_string())
            } else if db.is_unique_violation() {
                StoreError::Conflict(db.message().to_owned())
            } else if db.is_foreign_key_violation() || db.is_check_violation() {
                StoreError::Invalid(db.message().to_owned())
            } else {
                StoreError::Defect(e.to_string())
            }
        }
        _ => StoreError::Defect(e.to_string()),
    }
}

/// Error codes that mean "not now" rather than "never": SQLite's busy and locked (with their
/// extended codes), PostgreSQL's connection exceptions (class 08), serialization failures and
/// deadlocks (class 40), too many connections and shutdowns (classes 53 and 57).
fn retryable(code: &str) -> bool {
    let sqlite_busy_or_locked = code.parse::<i64>().is_ok_and(|n| matches!(n & 0xff, 5 | 6));
    sqlite_busy_or_locked
        || code.len() == 5
            && ["08", "40", "53", "57"]
                .iter()
                .any(|class| code.starts_with(class))
}

#[cfg(test)]
mod tests {
    use super::retryable;

    #[test]
    fn busy_locked_and_lost_connections_are_worth_retrying() {
        for code in [
            "5", "6", "517", "262", "08006", "40001", "40P01", "53300", "57P01",
        ] {
            assert!(retryable(code), "{code}");
        }
        for code in ["19", "2067", "23505", "42P01", "22P02", ""] {
            assert!(!retryable(code), "{code}");
        }
    }
}
