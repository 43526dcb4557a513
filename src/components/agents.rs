//! The Bot Agents page: tabs for Custom Connectors and the PCS Connector, the metrics (by
//! environment only), the filters, the table and a connector's details.

use bots_status_core::model::ConnectorId;
use leptos::prelude::*;

use super::connector_form::Forms;
use super::filters::Filters;
use super::legend::Legend;
use super::metrics_bar::MetricsBar;
use super::pcs::PcsTab;
use super::table::ConnectorTable;
use crate::app::{Clock, Page, View};
use crate::store::FleetStore;

#[component]
pub fn BotAgents(store: FleetStore, view_state: View) -> impl IntoView {
    let open_details = RwSignal::new(None::<ConnectorId>);
    let forms = Forms::new();
    let tab = move |page: Page, label: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                class="bs-tab"
                aria-selected=move || (view_state.page.get() == page).to_string()
                on:click=move |_| view_state.go(page)
            >
                {label}
            </button>
        }
    };
    view! {
        <section class="bs-page" aria-label="Bot Agents">
            <div class="bs-toolbar">
                <h2 class="bs-heading">"Bot Agents"</h2>
                <LastUpdated store=store />
                <Show when=move || view_state.page.get() == Page::Agents>
                    <button
                        type="button"
                        class="bs-button bs-button--primary bs-toolbar__end"
                        on:click=move |_| forms.add(None)
                    >
                        "New Bot Connector"
                    </button>
                </Show>
            </div>
            <div class="bs-tabs" role="tablist" aria-label="Connector kinds">
                {tab(Page::Agents, "Custom Connectors")}
                {tab(Page::Pcs, "PCS Connector")}
            </div>
            {move || match view_state.page.get() {
                Page::Pcs => view! { <PcsTab store=store /> }.into_any(),
                _ => view! {
                    <div role="tabpanel" aria-label="Custom Connectors">
                        <MetricsBar store=store view_state=view_state />
                        <Filters store=store query=view_state.query />
                        <ConnectorTable store=store query=view_state.query open_details=open_details forms=forms />
                        <Legend />
                    </div>
                }
                .into_any(),
            }}
        </section>
    }
}

/// "Last updated 16:42:05": when the backend last said anything.
#[component]
pub fn LastUpdated(store: FleetStore) -> impl IntoView {
    let zone = use_context::<Clock>().unwrap_or_default();
    view! {
        <p class="bs-updated" aria-live="off">
            {move || match store.updated_at.get() {
                Some(ms) => format!("Last updated {}", clock(ms, zone)),
                None => "Waiting for the backend…".to_owned(),
            }}
        </p>
    }
}

/// A wall-clock time as HH:MM:SS in the browser's time zone, the same in every locale.
pub fn clock(ms: f64, zone: Clock) -> String {
    let date = web_sys::js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    match zone {
        Clock::Local => format!(
            "{:02}:{:02}:{:02}",
            date.get_hours(),
            date.get_minutes(),
            date.get_seconds()
        ),
        Clock::Utc => format!(
            "{:02}:{:02}:{:02} UTC",
            date.get_utc_hours(),
            date.get_utc_minutes(),
            date.get_utc_seconds()
        ),
    }
}
