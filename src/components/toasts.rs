//! Feedback on completed actions: a short message per action, announced to screen readers.
//! Successes fade after a while; failures stay until dismissed, so their reason can be read.

use std::time::Duration;

use leptos::prelude::*;

/// How long a success stays on screen.
const SUCCESS_FOR: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Toast {
    id: u64,
    text: String,
    failed: bool,
    /// Dismissed or faded: hidden, and gone with the last of its region (see [`hide`]).
    hidden: bool,
}

/// The app's toasts; `Copy`, so any component can take it from context and report.
#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toasts {
    pub fn new() -> Toasts {
        Toasts {
            list: RwSignal::new(Vec::new()),
            next: StoredValue::new(0),
        }
    }

    /// The toasts provided by the app, or a fresh (unshown) set outside it.
    pub fn from_context() -> Toasts {
        use_context::<Toasts>().unwrap_or_default()
    }

    /// Reports something that worked; it disappears after a while.
    pub fn done(&self, text: impl Into<String>) {
        let id = self.push(text.into(), false);
        let list = self.list;
        set_timeout(
            move || {
                // The app may be gone by then.
                let _ = list.try_update(|l| hide(l, id));
            },
            SUCCESS_FOR,
        );
    }

    /// Reports a failure with its reason; it stays until dismissed.
    pub fn failed(&self, text: impl Into<String>) {
        self.push(text.into(), true);
    }

    fn push(&self, text: String, failed: bool) -> u64 {
        let id = self.next.get_value() + 1;
        self.next.set_value(id);
        self.list.update(|l| {
            l.push(Toast {
                id,
                text,
                failed,
                hidden: false,
            })
        });
        id
    }

    fn dismiss(&self, id: u64) {
        self.list.update(|l| hide(l, id));
    }
}

/// Hides toast `id`. A region's toasts leave together, when the last of them is hidden, so a
/// toast keeps its place while it shows: the list is drawn by position (a keyed `For` is a
/// copy of the keyed diff, 3 KB of the download), and a toast moved into the place of one
/// that went would be a changed text, which a live region announces again.
fn hide(list: &mut Vec<Toast>, id: u64) {
    let Some(toast) = list.iter_mut().find(|t| t.id == id) else {
        return;
    };
    toast.hidden = true;
    let failed = toast.failed;
    if list.iter().all(|t| t.failed != failed || t.hidden) {
        list.retain(|t| t.failed != failed);
    }
}

impl Default for Toasts {
    fn default() -> Self {
        Toasts::new()
    }
}

/// Where toasts show: two live regions, polite for successes and assertive for failures.
/// Both are always in the page, so a screen reader hears what is added to them.
#[component]
pub fn ToastList(
    /// The app's toasts.
    toasts: Toasts,
) -> impl IntoView {
    let region = move |failed: bool| {
        view! {
            <div
                class="bs-toasts__region"
                role=if failed { "alert" } else { "status" }
                aria-live=if failed { "assertive" } else { "polite" }
            >
                {move || toasts.list.get().into_iter().filter(|t| t.failed == failed).map(|t| {
                        let id = t.id;
                        view! {
                            <p class="bs-toast" class:bs-toast--failed=t.failed hidden=t.hidden>
                                <span>{t.text}</span>
                                <button
                                    type="button"
                                    class="bs-button bs-button--quiet"
                                    on:click=move |_| toasts.dismiss(id)
                                >
                                    "Dismiss"
                                </button>
                            </p>
                        }.into_any()
                    }).collect_view()}
            </div>
        }
    };
    view! {
        <div class="bs-toasts">
            {region(true)}
            {region(false)}
        </div>
    }
}
