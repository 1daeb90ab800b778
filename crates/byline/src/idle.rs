//! Work the server does only when readers leave it the CPU: one thread at the lowest
//! priority running queued jobs, so that what can wait never delays an answer.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, OnceLock};

/// A job done in idle time.
pub type Job = Box<dyn FnOnce() + Send>;

/// Jobs waiting at most: an offer beyond them is refused, not queued without bound.
const QUEUED_AT_MOST: usize = 256;

/// The jobs waiting. Readers' threads only try its lock and the idle thread holds it only to
/// take a job, so a reader never waits on (or spins for) the low-priority thread: a channel's
/// sender can spin on a receiver preempted mid-receive, which at nice 19 stalled answers for
/// a quarter of a second.
struct Queue {
    jobs: Mutex<VecDeque<Job>>,
    added: Condvar,
}

static QUEUE: Queue = Queue {
    jobs: Mutex::new(VecDeque::new()),
    added: Condvar::new(),
};

static STARTED: OnceLock<bool> = OnceLock::new();

/// Queues `job` for idle time; `false` when the queue is full or busy this instant (or the
/// thread cannot start), and the job is dropped undone: offer it again later.
pub fn offer(job: Job) -> bool {
    if !*STARTED.get_or_init(start) {
        return false;
    }
    let Ok(mut jobs) = QUEUE.jobs.try_lock() else {
        return false;
    };
    if jobs.len() >= QUEUED_AT_MOST {
        return false;
    }
    jobs.push_back(job);
    drop(jobs);
    QUEUE.added.notify_one();
    true
}

fn start() -> bool {
    QUEUE
        .jobs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .reserve(QUEUED_AT_MOST);
    let started = std::thread::Builder::new()
        .name("byline-idle".into())
        .spawn(|| {
            lowest_priority();
            loop {
                let job = next_job();
                // A job that panics is lost, not the thread that runs the others.
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                    tracing::error!("an idle-time job panicked; its work stays undone");
                }
            }
        });
    match started {
        Ok(_) => true,
        Err(error) => {
            tracing::warn!(%error, "no idle-time thread: what it would do stays undone");
            false
        }
    }
}

/// The next job, waited for.
fn next_job() -> Job {
    let mut jobs = QUEUE.jobs.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if let Some(job) = jobs.pop_front() {
            return job;
        }
        jobs = QUEUE.added.wait(jobs).unwrap_or_else(|p| p.into_inner());
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
