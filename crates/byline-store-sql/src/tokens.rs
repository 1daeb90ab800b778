//! API tokens: stored as the SHA-256 of their secret, found by it, listed and revoked.

use byline_core::TokenId;
use byline_core::accounts::UserId;
use byline_core::integrations::{NewToken, TokenHolder, TokenKind, TokenOwner, TokenRecord};
use byline_core::store::StoreError;
use chrono::{DateTime, Utc};

use crate::failure::db_error;
use crate::integrations::{conflict_on_unique, opt_time, role};
use crate::rows::{corrupt, from_secs, get, to_secs};

/// How often a token's last use is written: reads stay reads.
const LAST_USED_EVERY_SECS: i64 = 60;

pub(crate) async fn add_token(
    store: &crate::SqlStore,
    token: NewToken,
) -> Result<TokenId, StoreError> {
    let mut tx = store.writing().await?;
    let user = match &token.owner {
        TokenOwner::Member(id) => Some(id.0),
        TokenOwner::Nobody => None,
        TokenOwner::NewIntegration { email } => {
            let role = token.role.map_or("contributor", |r| r.as_str());
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, name, role, password_hash, created_at) \
                 VALUES ($1, $2, $3, NULL, $4) RETURNING id",
            )
            .bind(email.as_str())
            .bind(&token.name)
            .bind(role)
            .bind(to_secs(token.now))
            .fetch_one(&mut *tx)
            .await
            .map_err(conflict_on_unique(format!(
                "an integration named {} exists",
                token.name
            )))?;
            Some(id)
        }
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, kind, user_id, role, token_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&token.name)
    .bind(token.kind.as_str())
    .bind(user)
    .bind(token.role.map(|r| r.as_str()))
    .bind(&token.hash)
    .bind(to_secs(token.now))
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_on_unique(format!(
        "a token named {} exists",
        token.name
    )))?;
    tx.commit().await.map_err(db_error)?;
    Ok(TokenId(id))
}

pub(crate) async fn token_holder(
    store: &crate::SqlStore,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<TokenHolder>, StoreError> {
    let row = sqlx::query(
        "SELECT t.id, t.name, t.kind, t.role AS token_role, t.last_used_at, \
         u.id AS user_id, u.email, u.name AS user_name, u.role AS user_role, u.disabled_at \
         FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(&store.pool)
    .await
    .map_err(db_error)?;
    let Some(row) = row else { return Ok(None) };
    let kind_text: String = get(&row, "kind")?;
    let kind =
        TokenKind::parse(&kind_text).ok_or_else(|| corrupt(format!("token kind {kind_text}")))?;
    let user = match get::<Option<i64>>(&row, "user_id")? {
        None => None,
        Some(_) if get::<Option<i64>>(&row, "disabled_at")?.is_some() => return Ok(None),
        Some(id) => {
            let own =
                role(get(&row, "user_role")?)?.ok_or_else(|| corrupt("a member without a role"))?;
            let scoped = role(get(&row, "token_role")?)?.unwrap_or(own);
            let email: String = get(&row, "email")?;
            Some(byline_core::accounts::User {
                id: UserId(id),
                email: byline_core::Email::parse(&email).map_err(corrupt)?,
                name: get(&row, "user_name")?,
                // A token never does more than its account may, whatever its scope says.
                role: scoped.min(own),
            })
        }
    };
    let id: i64 = get(&row, "id")?;
    let stale = get::<Option<i64>>(&row, "last_used_at")?
        .is_none_or(|t| to_secs(now) - t >= LAST_USED_EVERY_SECS);
    if stale {
        // Best effort: a busy database must not turn a read into an error; the next use
        // notes it.
        let _best_effort = sqlx::query(
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 \
             AND (last_used_at IS NULL OR last_used_at < $2)",
        )
        .bind(id)
        .bind(to_secs(now))
        .execute(&store.pool)
        .await;
    }
    Ok(Some(TokenHolder {
        token: TokenId(id),
        name: get(&row, "name")?,
        kind,
        user,
    }))
}

pub(crate) async fn tokens(store: &crate::SqlStore) -> Result<Vec<TokenRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.id, t.name, t.kind, t.role, t.created_at, t.last_used_at, t.revoked_at, \
         t.user_id, u.name AS user_name, u.email FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id \
         ORDER BY t.revoked_at IS NOT NULL, t.name",
    )
    .fetch_all(&store.pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let kind: String = get(row, "kind")?;
            let acts_as = match get::<Option<String>>(row, "email")? {
                Some(email) => Some(format!("{} <{email}>", get::<String>(row, "user_name")?)),
                None => None,
            };
            Ok(TokenRecord {
                id: TokenId(get(row, "id")?),
                name: get(row, "name")?,
                kind: TokenKind::parse(&kind).ok_or_else(|| corrupt(format!("kind {kind}")))?,
                role: role(get(row, "role")?)?,
                acts_as,
                user: get::<Option<i64>>(row, "user_id")?.map(UserId),
                created_at: from_secs(get(row, "created_at")?)?,
                last_used_at: opt_time(row, "last_used_at")?,
                revoked_at: opt_time(row, "revoked_at")?,
            })
        })
        .collect()
}

pub(crate) async fn revoke_token(
    store: &crate::SqlStore,
    name: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL")
            .bind(name)
            .bind(to_secs(now))
            .execute(&store.pool)
            .await
            .map_err(db_error)?;
    Ok(done.rows_affected() == 1)
}
