//! The security issue's findings, each reproduced against the real server: who may reach what,
//! guessing passwords, secrets in links, logs and files, bounded work for strangers, imports
//! that respect the newsroom, and members that can be stopped.

mod at_rest;
mod bounds;
pub(crate) mod imports;
mod links;
mod newsroom;
mod routes;
mod sign_in;
mod walk;
