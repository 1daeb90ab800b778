//! Accounts, sessions, failed sign-ins and sign-in links.

use crate::db::{DbConn, DbRow};
use crate::failure::db_error;
use async_trait::async_trait;
use byline_core::AttemptId;
use byline_core::Email;
use byline_core::access::Role;
use byline_core::accounts::{
    AccountStore, AttemptCounts, MemberRecord, NewUser, Reservation, SessionInfo, SessionRecord,
    SignInLimits, User, UserId,
};
use byline_core::store::StoreError;
use chrono::{DateTime, Utc};

use crate::rows::{corrupt, from_secs, get, to_secs};

const USER_COLUMNS: &str = "u.id AS user_id, u.email, u.name, u.role";

fn user(row: &DbRow) -> Result<User, StoreError> {
    let email: String = get(row, "email")?;
    let role: String = get(row, "role")?;
    Ok(User {
        id: UserId(get(row, "user_id")?),
        email: Email::parse(&email).map_err(corrupt)?,
        name: get(row, "name")?,
        role: Role::parse(&role).ok_or_else(|| corrupt(format!("role {role}")))?,
    })
}

#[async_trait]
impl AccountStore for crate::SqlStore {
    async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
        )
        .bind(new.email.as_str())
        .bind(&new.name)
        .bind(new.role.as_str())
        .bind(&new.password_hash)
        .bind(to_secs(new.created_at))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict(format!("{} already has an account", new.email))
            }
            other => db_error(other),
        })?;
        Ok(User {
            id: UserId(id),
            email: new.email,
            name: new.name,
            role: new.role,
        })
    }

    async fn user_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(n as u64)
    }

    async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(User, Option<String>)>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u \
             WHERE u.email = $1 AND u.disabled_at IS NULL"
        ));
        let row = sqlx::query(sql)
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        row.map(|row| Ok((user(&row)?, get(&row, "password_hash")?)))
            .transpose()
    }

    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user.0)
            .bind(password_hash)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf_token: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(csrf_token)
        .bind(to_secs(now))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.created_at, s.last_seen_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND u.disabled_at IS NULL"
        ));
        let row = sqlx::query(sql)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        row.map(|row| {
            Ok(SessionRecord {
                user: user(&row)?,
                csrf_token: get(&row, "csrf_token")?,
                created_at: from_secs(get(&row, "created_at")?)?,
                last_seen_at: from_secs(get(&row, "last_seen_at")?)?,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(to_secs(now))
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn delete_sessions_of(&self, user: UserId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn reserve_sign_in(
        &self,
        email: &str,
        ip: &str,
        now: DateTime<Utc>,
        limits: &SignInLimits,
        known_browser: bool,
    ) -> Result<Reservation, StoreError> {
        let mut tx = self.writing().await?;
        let since = to_secs(now - limits.window);
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM login_failures WHERE ip = $2 AND at >= $3) AS for_ip, \
                    (SELECT MIN(at) FROM login_failures WHERE ip = $2 AND at >= $3) AS oldest_ip, \
                    (SELECT COUNT(*) FROM login_failures WHERE email = $1 AND at >= $3) AS for_email, \
                    (SELECT MAX(at) FROM login_failures WHERE email = $1 AND at >= $3) AS newest_email",
        )
        .bind(email)
        .bind(ip)
        .bind(since)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        let time = |column| -> Result<Option<DateTime<Utc>>, StoreError> {
            get::<Option<i64>>(&row, column)?.map(from_secs).transpose()
        };
        let counts = AttemptCounts {
            for_address: get::<i64>(&row, "for_ip")? as u64,
            oldest_for_address: time("oldest_ip")?,
            for_account: get::<i64>(&row, "for_email")? as u64,
            // Times are whole seconds: an attempt counts from the end of its second, so that
            // a wait is never cut short by the rounding.
            newest_for_account: time("newest_email")?.map(|t| t + chrono::Duration::seconds(1)),
        };
        if let Some(retry_after) = limits.wait(&counts, now, known_browser) {
            return Ok(Reservation::Refused { retry_after });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures (email, ip, at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(email)
        .bind(ip)
        .bind(to_secs(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        // Rows older than any window are of no more use.
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(to_secs(now - limits.window * 4))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(Reservation::Granted(AttemptId(id)))
    }

    async fn sign_in_succeeded(
        &self,
        attempt: AttemptId,
        email: &str,
        ip: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE id = $1 OR (email = $2 AND ip = $3)")
            .bind(attempt.0)
            .bind(email)
            .bind(ip)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn release_sign_in(&self, attempt: AttemptId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(attempt.0)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn members(&self) -> Result<Vec<MemberRecord>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, u.created_at, u.disabled_at FROM users u ORDER BY lower(u.name), u.id"
        ));
        let rows = sqlx::query(sql)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        let sessions = sqlx::query(
            "SELECT user_id, created_at, last_seen_at FROM sessions ORDER BY last_seen_at DESC",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                let user = user(row)?;
                let mine = sessions
                    .iter()
                    .filter(|s| get::<i64>(s, "user_id").ok() == Some(user.id.0))
                    .map(|s| {
                        Ok(SessionInfo {
                            created_at: from_secs(get(s, "created_at")?)?,
                            last_seen_at: from_secs(get(s, "last_seen_at")?)?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok(MemberRecord {
                    user,
                    created_at: from_secs(get(row, "created_at")?)?,
                    disabled_at: get::<Option<i64>>(row, "disabled_at")?
                        .map(from_secs)
                        .transpose()?,
                    sessions: mine,
                })
            })
            .collect()
    }

    async fn set_disabled(
        &self,
        user: UserId,
        at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writing().await?;
        let found = sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1")
            .bind(user.0)
            .bind(at.map(to_secs))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected()
            == 1;
        if at.is_some() {
            for sql in [
                "DELETE FROM sessions WHERE user_id = $1",
                "DELETE FROM signin_links WHERE user_id = $1",
            ] {
                sqlx::query(sql)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
        }
        tx.commit().await.map_err(db_error)?;
        Ok(found)
    }

    async fn create_signin_link(
        &self,
        token_hash: &str,
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signin_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(to_secs(expires_at))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn signin_link_member(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        live_link(&mut conn, token_hash, now).await
    }

    async fn redeem_signin_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let mut tx = self.writing().await?;
        let Some(member) = live_link(&mut tx, token_hash, now).await? else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM signin_links WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(member.id.0)
            .bind(password_hash)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(member.id.0)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(Some(member))
    }
}

/// The member of a live sign-in link: it exists, has not expired, and its member is not
/// disabled.
async fn live_link(
    conn: &mut DbConn,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<User>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM signin_links l JOIN users u ON u.id = l.user_id \
         WHERE l.token_hash = $1 AND l.expires_at >= $2 AND u.disabled_at IS NULL"
    ));
    let row = sqlx::query(sql)
        .bind(token_hash)
        .bind(to_secs(now))
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?;
    row.map(|row| user(&row)).transpose()
}
