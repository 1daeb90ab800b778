//! Byline's integration tests: one binary, driving the real CLI, the real server and the
//! router in-process against real stores — SQLite files, or PostgreSQL schemas when
//! `BYLINE_TEST_DATABASE_URL` is set (CI runs both) — and a real S3-compatible server.

mod admin_accounts;
mod admin_integrations;
mod admin_sessions;
mod api;
mod api_desk;
mod api_parity;
mod api_tokens;
mod archive;
mod cache;
mod cli;
mod delivery;
mod editorial;
mod faults;
mod finding;
mod flood;
mod golden_page;
mod html_validity;
mod import_cases;
mod import_ninjs;
mod import_wordpress;
mod items;
mod layers;
mod listing_order;
mod listing_pages;
mod media_library;
mod media_storage;
mod most_read;
mod newsletter;
mod newsletter_desk;
mod newsletter_faults;
mod newsletter_mail;
mod newsletter_subscribers;
mod nodes;
mod ops;
mod photo_credits;
mod postgres;
mod search;
mod search_nodes;
mod security;
mod site;
mod store_contract;
mod support;
mod use_cases;
mod webhooks;
