//! The newsletter: the sign-up box's endpoint and its abuse protection, double opt-in and
//! unsubscription with signed links.

pub mod confirm;
pub mod export;
pub mod issue;
mod rate_limit;
pub mod schedule;
pub mod sender;
mod signup;
pub mod token;

pub use rate_limit::RateLimiter;
pub use signup::subscribe;
