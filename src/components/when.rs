//! A part of the page shown only while a condition holds.

use leptos::prelude::*;

/// `children` while `when` holds, else `fallback` (nothing by default): what Leptos' `Show`
/// does, with the children and the condition behind pointers. `Show` is generic over both,
/// so each of the app's twenty-odd uses was a copy of its code for its children's view
/// type; this is one copy for them all. As with `Show`, the children are made when the
/// condition becomes true and dropped when it becomes false, not at every change of what
/// the condition reads.
#[component]
pub fn When(
    /// Whether the children show.
    #[prop(into)]
    when: Signal<bool>,
    /// What shows while `when` holds.
    children: ChildrenFn,
    /// What shows while it does not.
    #[prop(optional, into)]
    fallback: ViewFn,
) -> impl IntoView {
    let shown = Memo::new(move |_| when.get());
    // Inside `view!` the closure becomes the one type Leptos gives every reactive view of
    // this output; returned bare it was a type of its own, with its own copy of the
    // rendering code (ARCHITECTURE: "Few view types").
    view! { {move || if shown.get() { children() } else { fallback.run() }} }
}
