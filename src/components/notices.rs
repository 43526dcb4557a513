//! Messages the app has for the user (a recovered save, a link that was partly ignored),
//! announced to screen readers and dismissable.

use leptos::prelude::*;

#[component]
pub fn Notices(
    /// What the user should know (not errors of theirs); each can be dismissed.
    notices: RwSignal<Vec<String>>,
) -> impl IntoView {
    view! {
        <div class="bs-notices" role="status" aria-live="polite">
            <For
                each={move || notices.get().into_iter().enumerate().collect::<Vec<_>>()}
                key={|(i, text): &(usize, String)| (*i, text.clone())}
                children={move |(i, text): (usize, String)| {
                    view! {
                        <p class="bs-notice">
                            <span>{text}</span>
                            <button
                                type="button"
                                class="bs-button bs-button--quiet"
                                on:click=move |_| notices.update(|n| {
                                    if i < n.len() {
                                        n.remove(i);
                                    }
                                })
                            >
                                "Dismiss"
                            </button>
                        </p>
                    }
                }}
            />
        </div>
    }
}
