//! Work the server does only when readers leave it the CPU: one thread at the lowest
//! priority running queued jobs, so that what can wait never delays an answer.

use std::sync::OnceLock;
use std::sync::mpsc::{self, SyncSender, TrySendError};

/// A job done in idle time.
pub type Job = Box<dyn FnOnce() + Send>;

/// Jobs waiting at most: an offer beyond them is refused, not queued without bound.
const QUEUED_AT_MOST: usize = 256;

static QUEUE: OnceLock<Option<SyncSender<Job>>> = OnceLock::new();

/// Queues `job` for idle time; `false` when the queue is full (or the thread cannot start),
/// and the job is dropped undone: offer it again later.
pub fn offer(job: Job) -> bool {
    let Some(queue) = QUEUE.get_or_init(start) else {
        return false;
    };
    match queue.try_send(job) {
        Ok(()) => true,
        Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
    }
}

fn start() -> Option<SyncSender<Job>> {
    let (sender, jobs) = mpsc::sync_channel::<Job>(QUEUED_AT_MOST);
    let started = std::thread::Builder::new()
        .name("byline-idle".into())
        .spawn(move || {
            lowest_priority();
            for job in jobs {
                // A job that panics is lost, not the thread that runs the others.
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                    tracing::error!("an idle-time job panicked; its work stays undone");
                }
            }
        });
    match started {
        Ok(_) => Some(sender),
        Err(error) => {
            tracing::warn!(%error, "no idle-time thread: what it would do stays undone");
            None
        }
    }
}

/// Gives the calling thread the lowest share of the CPU there is without starving it: nice
/// 19, which Linux sets per thread. (`SCHED_IDLE` could leave it unscheduled for long while
/// it holds the allocator's lock, which a reader's thread may then wait on.)
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    if let Err(error) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19) {
        tracing::debug!(%error, "the idle-time thread keeps the normal priority");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    #[test]
    fn offered_jobs_run_on_a_thread_of_their_own_at_the_lowest_priority() {
        let (done, ran) = channel();
        let here = std::thread::current().id();
        assert!(offer(Box::new(move || {
            #[cfg(target_os = "linux")]
            let nice =
                rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
            #[cfg(not(target_os = "linux"))]
            let nice = 19;
            done.send((std::thread::current().id(), nice)).unwrap();
        })));
        let (there, nice) = ran.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_ne!(there, here);
        assert_eq!(nice, 19);
    }
}
