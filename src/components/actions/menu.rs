//! The Actions menus: the list over the selection, and a row's own list for its connector.
//! Each entry says what it would do for its connectors, or why it cannot.

use bots_status_core::model::ConnectorId;
use bots_status_core::words::decimal;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

use super::{ActionFlow, MENU};
use crate::components::dialog::{elements, next_id};
use crate::components::when::When;
use crate::effect::effect;

/// The "Actions" menu button over the selected connectors.
#[component]
pub fn ActionsMenu(
    /// Starts the chosen action.
    flow: ActionFlow,
    /// The connectors the entries judge (tracked): the selection, or the one in the details.
    targets: Signal<Vec<ConnectorId>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let close = Callback::new(move |()| {
        open.set(false);
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    });
    view! {
        <div class="bs-menu-anchor">
            <button
                type="button"
                class="bs-button"
                node_ref=button
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "ArrowDown" {
                        ev.prevent_default();
                        open.set(true);
                    }
                }
            >
                "Actions"
                <span aria-hidden="true">" ▾"</span>
            </button>
            <When when=move || open.get()>
                <MenuList flow=flow targets=targets.get_untracked() label="Actions".to_owned() on_close=close />
            </When>
        </div>
    }
}

/// Where a row's menu opens: for which connector, and where in the window (pixels from
/// its left, and from its top or, to open upwards, its bottom).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowMenuAt {
    pub id: ConnectorId,
    pub left: f64,
    pub top: Option<f64>,
    pub bottom: Option<f64>,
}

impl RowMenuAt {
    fn style(&self) -> String {
        let vertical = match (self.top, self.bottom) {
            (Some(top), _) => format!("top: {}px;", decimal(top, 1)),
            (None, Some(bottom)) => format!("bottom: {}px;", decimal(bottom, 1)),
            (None, None) => String::new(),
        };
        format!("left: {}px; {vertical}", decimal(self.left, 1))
    }
}

/// A row's own Actions menu, for its one connector. It lives outside the scrolled table,
/// so a live update that re-renders the row does not close it. `rows` is the element the
/// rows are in: closing returns focus to the row's button there, never to another app's.
#[component]
pub fn RowMenu(
    /// Starts the chosen action.
    flow: ActionFlow,

    /// Whose menu is open, and where; `None` closes it.
    at: RwSignal<Option<RowMenuAt>>,

    /// The element the rows are in: closing returns focus to the row's button there.
    rows: NodeRef<html::Section>,
) -> impl IntoView {
    view! {
        {move || at.get().map(|place| {
            let close = Callback::new(move |()| {
                at.set(None);
                // The row may have been re-rendered meanwhile: find its menu button again.
                let selector = format!("[data-row-menu='{}']", place.id.0);
                if let Some(button) = rows
                    .get_untracked()
                    .and_then(|r| r.query_selector(&selector).ok().flatten())
                    .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = button.focus();
                }
            });
            view! {
                <div class="bs-row-menu" style=place.style()>
                    <MenuList flow=flow targets=vec![place.id] label=format!("Actions for {}", flow.name(place.id)) on_close=close />
                </div>
            }.into_any()
        })}
    }
}

/// The entries of an Actions menu, each with what it would do for `targets` or why it
/// cannot. Arrow keys move between entries, Escape closes, Tab leaves.
#[component]
fn MenuList(
    /// Judges each entry and starts the chosen one.
    flow: ActionFlow,

    /// The connectors the entries are for.
    targets: Vec<ConnectorId>,

    /// The menu's accessible name.
    label: String,

    /// Called when the menu should close (Escape, Tab, a choice, focus leaving).
    on_close: Callback<()>,
) -> impl IntoView {
    let list = NodeRef::<html::Div>::new();
    let plans = {
        let targets = targets.clone();
        Memo::new(move |_| flow.menu_plans(&targets))
    };
    effect(move || {
        if let Some(first) = list.get().and_then(|l| items(&l).into_iter().next()) {
            let _ = first.focus();
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        let Some(l) = list.get_untracked() else {
            return;
        };
        let entries = items(&l);
        let active = document().active_element();
        let at = entries
            .iter()
            .position(|e| active.as_ref() == Some(e.unchecked_ref::<web_sys::Element>()));
        let n = entries.len();
        let go = match ev.key().as_str() {
            "ArrowDown" => Some(at.map_or(0, |i| (i + 1) % n)),
            "ArrowUp" => Some(at.map_or(n.saturating_sub(1), |i| (i + n - 1) % n)),
            "Home" => Some(0),
            "End" => Some(n.saturating_sub(1)),
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                on_close.run(());
                None
            }
            "Tab" => {
                on_close.run(());
                None
            }
            _ => None,
        };
        if let Some(i) = go
            && let Some(entry) = entries.get(i)
        {
            ev.prevent_default();
            let _ = entry.focus();
        }
    };
    // Clicking elsewhere moves focus out of the menu, which closes it.
    let on_focusout = move |ev: web_sys::FocusEvent| {
        let next = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = list
            .get_untracked()
            .is_some_and(|l| next.as_ref().is_some_and(|n| l.contains(Some(n))));
        if !inside {
            on_close.run(());
        }
    };
    view! {
        <div class="bs-menu" role="menu" aria-label=label node_ref=list on:keydown=on_keydown on:focusout=on_focusout>
            {MENU
                .into_iter()
                .enumerate()
                .map(|(i, kind)| {
                    let why_not = move || plans.with(|p| p[i].why_impossible());
                    let what = move || why_not().unwrap_or_else(|| plans.with(|p| p[i].summary()));
                    let label_id = format!("bs-menu-{}", next_id());
                    let desc_id = format!("{label_id}-desc");
                    let (labelled_by, described_by) = (label_id.clone(), desc_id.clone());
                    let targets = targets.clone();
                    view! {
                        <button
                            type="button"
                            role="menuitem"
                            class="bs-menu__item"
                            tabindex="-1"
                            aria-labelledby=labelled_by
                            aria-describedby=described_by
                            aria-disabled=move || why_not().is_some().to_string()
                            on:click=move |_| {
                                if why_not().is_none() {
                                    on_close.run(());
                                    flow.begin(kind, targets.clone());
                                }
                            }
                        >
                            <span class="bs-menu__label" id=label_id>{kind.label()}</span>
                            <span class="bs-menu__desc" id=desc_id>{move || what()}</span>
                        </button>
                    }.into_any()
                })
                .collect_view()}
        </div>
    }
}

/// The entries of a menu, in order.
fn items(list: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    elements(list, "[role='menuitem']")
}
