//! Test stores on PostgreSQL: a schema of its own per test site, in the database the suite
//! is given (`BYLINE_TEST_DATABASE_URL`) or the local server's.

/// A new, empty schema in the PostgreSQL database named by `BYLINE_TEST_DATABASE_URL`, as the
/// URL of a store kept in it; none when the variable is unset.
pub fn suite_schema() -> Option<String> {
    let base = std::env::var("BYLINE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    Some(schema_in(&base).1)
}

/// A new, empty schema in the database at `base`: its name, and the URL of a store kept in it.
pub fn schema_in(base: &str) -> (String, String) {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let base = base.to_owned();
    let schema = format!(
        "t{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    execute(&base, &format!("CREATE SCHEMA {schema}"));
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
    (schema, url)
}

/// Runs one SQL statement on the PostgreSQL database at `url`.
pub fn execute(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    // Called from sync and async tests alike: connect on a thread of its own.
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            })
    })
    .join()
    .expect("the statement ran on PostgreSQL");
}
