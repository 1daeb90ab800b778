//! The newsletter: the sign-up box's endpoint and its abuse protection, double opt-in and
//! unsubscription with signed links.

pub mod confirm;
pub mod export;
mod rate_limit;
mod signup;
pub mod token;

pub use rate_limit::RateLimiter;
pub use signup::subscribe;
