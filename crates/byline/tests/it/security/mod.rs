//! The security issue's findings, each reproduced against the real server: who may reach what,
//! guessing passwords, secrets in logs and at rest, bounded work for strangers, imports that
//! respect the newsroom, and members that can be stopped.

mod routes;
