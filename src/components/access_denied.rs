//! What a user without the Bot Status Access permission sees instead of the app.

use leptos::prelude::*;

#[component]
pub fn AccessDenied(
    /// Why, naming the permission that is needed.

    /// Why, in the core's words (which permission is missing).
    reason: String,

    /// Who is signed in.
    user: String,
) -> impl IntoView {
    view! {
        <section class="bs-page bs-denied" aria-labelledby="bs-denied-title">
            <h2 class="bs-heading" id="bs-denied-title">"Access denied"</h2>
            <p class="bs-denied__reason">{reason}</p>
            <p class="bs-denied__who">{format!("Signed in as {user}.")}</p>
        </section>
    }
}
