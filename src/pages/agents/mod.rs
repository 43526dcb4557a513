//! The Bot Agents page: tabs for Custom Connectors and the PCS Connector, the metrics (by
//! environment only), the filters, the table and a connector's details. The page owns its
//! controller ([`AgentsPage`]) and provides it to what it composes.

mod controller;
mod details;
mod table;

pub use controller::AgentsPage;

use leptos::html;
use leptos::prelude::*;

use super::pcs::PcsTab;
use crate::components::actions::{ActionDialog, RowMenu};
use crate::components::connector_form::ConnectorFormHost;
use crate::components::filters::Filters;
use crate::components::legend::Legend;
use crate::components::metrics_bar::MetricsBar;
use crate::components::when::When;
use crate::format::{TimeZone, time_of_day};
use crate::store::FleetStore;
use crate::view::{Page, ViewState};
use details::Details;
use table::ConnectorTable;

#[component]
pub fn BotAgents() -> impl IntoView {
    let store = FleetStore::from_context();
    let view_state = ViewState::from_context();
    let page = AgentsPage::new(store, view_state.query);
    provide_context(page);
    // Where the page's rows are: a row's menu returns focus to its row's button there,
    // never to another app's.
    let section = NodeRef::<html::Section>::new();
    let tab = move |tab_page: Page, label: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                class="bs-tab"
                aria-selected=move || (view_state.page.get() == tab_page).to_string()
                on:click=move |_| view_state.go(tab_page)
            >
                {label}
            </button>
        }
    };
    view! {
        <section class="bs-page" aria-label="Bot Agents" node_ref=section>
            <div class="bs-toolbar">
                <h2 class="bs-heading">"Bot Agents"</h2>
                <LastUpdated />
                <When when=move || view_state.page.get() == Page::Agents>
                    <button
                        type="button"
                        class="bs-button bs-button--primary bs-toolbar__end"
                        on:click=move |_| page.forms.add(None)
                    >
                        "New Bot Connector"
                    </button>
                </When>
            </div>
            <div class="bs-tabs" role="tablist" aria-label="Connector kinds">
                {tab(Page::Agents, "Custom Connectors")}
                {tab(Page::Pcs, "PCS Connector")}
            </div>
            {move || match view_state.page.get() {
                Page::Pcs => view! { <PcsTab /> }.into_any(),
                _ => view! {
                    <div role="tabpanel" aria-label="Custom Connectors">
                        <MetricsBar />
                        <Filters query=view_state.query counts=page.counts />
                        <ConnectorTable rows=page.rows query=view_state.query />
                        <Legend />
                    </div>
                }
                .into_any(),
            }}
            <RowMenu flow=page.flow at=page.row_menu rows=section />
            <Details />
            <ActionDialog flow=page.flow />
            <ConnectorFormHost forms=page.forms flow=page.flow />
        </section>
    }
}

/// "Last updated 16:42:05": when the backend last said anything.
#[component]
pub fn LastUpdated() -> impl IntoView {
    let store = FleetStore::from_context();
    let zone = TimeZone::from_context();
    view! {
        <p class="bs-updated" aria-live="off">
            {move || match store.updated_at.get() {
                Some(ms) => format!("Last updated {}", time_of_day(ms, zone)),
                None => "Waiting for the backend…".to_owned(),
            }}
        </p>
    }
}
