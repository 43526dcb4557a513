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
            // By position (see `ScenarioList`): a keyed list took the notices after a dismissed
            // one as new, so they were announced again before too.
            {move || notices.get().into_iter().enumerate().map(|(i, text)| {
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
                    }.into_any()
                }).collect_view()}
        </div>
    }
}
