//! "Copy details": a connector's ids, statuses, error and remedy as text for a support
//! ticket. The text shows in the panel (selected, so Ctrl+C copies it where the browser does
//! not let the page write to the clipboard) and goes to the clipboard where it does.

use bots_status_core::model::Connector;
use bots_status_core::troubleshooting::support_report;
use leptos::html;
use leptos::prelude::*;

use crate::components::when::When;
use crate::effect::effect;
use crate::format::{TimeZone, time_of_day};

#[component]
pub fn CopyDetails(
    /// The connector whose details are copied (as it is when the button is pressed).
    connector: Memo<Option<Connector>>,
) -> impl IntoView {
    let zone = TimeZone::from_context();
    let report = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<&'static str>);
    let area = NodeRef::<html::Textarea>::new();
    effect(move || {
        if report.with(Option::is_some)
            && let Some(el) = area.get()
        {
            el.select();
        }
    });
    let copy = move |_| {
        let Some(text) = connector.with_untracked(|c| {
            c.as_ref()
                .map(|c| support_report(c, &time_of_day(web_sys::js_sys::Date::now(), zone)))
        }) else {
            return;
        };
        report.set(Some(text.clone()));
        outcome.set(None);
        // Outside a secure context (plain http to another machine) there is no clipboard.
        let clipboard = web_sys::window().map(|w| w.navigator()).filter(|n| {
            web_sys::js_sys::Reflect::get(n, &"clipboard".into()).is_ok_and(|c| !c.is_undefined())
        });
        let Some(clipboard) = clipboard.map(|n| n.clipboard()) else {
            outcome.set(Some(
                "Select it and copy it (Ctrl+C): this page may not write to the clipboard.",
            ));
            return;
        };
        let promise = clipboard.write_text(&text);
        wasm_bindgen_futures::spawn_local(async move {
            let said = match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => "Copied to the clipboard.",
                Err(_) => {
                    "Select it and copy it (Ctrl+C): the browser did not let the page write to the clipboard."
                }
            };
            outcome.set(Some(said));
        });
    };
    view! {
        <div class="bs-copy">
            <button type="button" class="bs-button" on:click=copy>"Copy details"</button>
            <p class="bs-copy__outcome" role="status">{move || outcome.get().map(String::from)}</p>
            <When when=move || report.with(Option::is_some)>
                <textarea
                    class="bs-copy__text"
                    node_ref=area
                    readonly
                    rows="8"
                    aria-label="The details, for a support ticket"
                    prop:value=move || report.get().unwrap_or_default()
                ></textarea>
            </When>
        </div>
    }
}
