//! Byline, the application: command line, configuration, the public site and its use cases.

pub mod admin;
pub mod ads;
pub mod api;
pub mod archive;
pub mod cache;
pub mod cli;
pub mod codings;
pub mod config;
pub mod csv;
pub mod demo;
pub mod error;
pub mod frame;
pub mod front;
pub mod guards;
pub mod import;
pub mod jobs;
pub mod layers;
pub mod listen;
pub mod mail;
pub mod media;
pub mod newsletter;
pub mod ops;
pub mod router;
pub mod searching;
pub mod secrets;
pub mod server;
pub mod session_cookie;
pub mod site;
pub mod state;
pub mod uploads;
pub mod usecases;
pub mod views;
pub mod webhooks;
pub mod websub;

pub use state::AppState;
