//! The newsletter: the sign-up box's endpoint and its abuse protection.

mod rate_limit;
mod signup;

pub use rate_limit::RateLimiter;
pub use signup::subscribe;
