//! The cancel switches of the imports under way, one per import, by the key its caller gave it
//! (the app runs several at once: two windows, or an import of customers beside one of
//! interactions).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Cancels(Mutex<HashMap<String, Arc<AtomicBool>>>);

impl Cancels {
    /// A new switch for the import `key` (replacing any earlier one of that key).
    pub fn register(&self, key: &str) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_string(), flag.clone());
        flag
    }

    /// The import `key` has ended.
    pub fn done(&self, key: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }

    /// Whether any import is running now (the app then neither looks for nor installs updates).
    pub fn running(&self) -> bool {
        !self.0.lock().unwrap_or_else(|p| p.into_inner()).is_empty()
    }

    /// Cancels the import `key`; false when none runs under it.
    pub fn cancel(&self, key: &str) -> bool {
        match self.0.lock().unwrap_or_else(|p| p.into_inner()).get(key) {
            Some(f) => {
                f.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_import_has_its_own_switch() {
        let c = Cancels::default();
        let (a, b) = (c.register("a"), c.register("b"));
        assert!(c.cancel("a"));
        assert!(a.load(Ordering::Relaxed) && !b.load(Ordering::Relaxed), "cancelling one leaves the other running");
        c.done("a");
        assert!(!c.cancel("a"), "an ended import cannot be cancelled");
        assert!(c.cancel("b") && b.load(Ordering::Relaxed));
        assert!(c.running(), "b has not ended");
        c.done("b");
        assert!(!c.running());
    }
}
