//! The connector table: it renders the rows it is given. Only the rows in view (plus a
//! margin) are in the DOM, so filtering, sorting and live updates stay fast at ten thousand
//! connectors.

use bots_status_core::live::Link;
use bots_status_core::model::{Connector, ConnectorId};
use bots_status_core::query::{ConnectorQuery, SortKey};
use bots_status_core::selection::Selection;
use bots_status_core::views::{Column, ColumnSet};
use bots_status_core::words::decimal;
use leptos::html;
use leptos::prelude::*;
use web_sys::MouseEvent;

use super::AgentsPage;
use crate::components::actions::{ActionsMenu, RowMenuAt};
use crate::components::status_badge::StatusBadge;
use crate::components::view_controls::{ColumnChooser, ViewsMenu};
use crate::components::when::When;
use crate::effect::effect;
use crate::format::{TimeZone, time_of_day};
use crate::store::FleetStore;
use crate::view::ViewState;

/// Every row has this height (CSS keeps it), so scroll position maps to a row.
pub const ROW_HEIGHT: f64 = 44.0;
/// Rows rendered above and below the ones in view, so a scroll shows rows at once.
const MARGIN: usize = 4;

/// A column's width in pixels. The default columns (every one but the Environment while one
/// environment is shown) fit a 1280-pixel window: headers wrap onto two lines for that.
fn width(column: Column) -> u32 {
    match column {
        Column::Bot => 162,
        Column::AgentUserId => 120,
        Column::Account => 92,
        Column::Environment => 110,
        Column::ConversationType => 116,
        Column::Role => 80,
        Column::Conversations => 122,
        Column::ConnectorStatus | Column::Cloud | Column::BotServer => 140,
    }
}

/// The checkbox column's width and the row menu's, in pixels.
const CHECK_WIDTH: u32 = 36;
const MENU_WIDTH: u32 = 40;

/// The connector table over `rows` (the page's filtered, sorted connectors); `query` is the
/// sort its headers change.
#[component]
pub fn ConnectorTable(
    rows: Memo<Vec<ConnectorId>>,
    query: RwSignal<ConnectorQuery>,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let page = AgentsPage::from_context();
    let AgentsPage {
        selection,
        deselected,
        flow,
        row_menu,
        ..
    } = page;
    let selected = page.selected();

    let scroll_top = RwSignal::new(0.0_f64);
    // The height of the scrolled area, read once it is in the page and again on each scroll
    // (a window resize is followed by a scroll or a re-render soon enough to catch up).
    let viewport = RwSignal::new(0.0_f64);
    let scroller = NodeRef::<html::Div>::new();
    effect(move || {
        if let Some(el) = scroller.get() {
            viewport.set(f64::from(el.client_height()));
        }
    });
    // A new filter or sort starts at the top. Setting scrollTop forces a layout, so only when
    // the list is scrolled at all.
    effect(move || {
        query.track();
        if scroll_top.get_untracked() > 0.0 {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
            scroll_top.set(0.0);
        }
    });
    let window = Memo::new(move |_| {
        let first = (scroll_top.get() / ROW_HEIGHT).max(0.0) as usize;
        // Until the area is measured, a screenful; the table's head takes one row of it.
        let height = match viewport.get() {
            h if h > 0.0 => h,
            _ => 900.0,
        };
        let in_view = (height / ROW_HEIGHT).ceil() as usize;
        let len = rows.with(Vec::len);
        let start = first.saturating_sub(MARGIN).min(len);
        let end = (first + in_view + MARGIN).min(len);
        (start, end)
    });
    let visible = Memo::new(move |_| {
        let (start, end) = window.get();
        rows.with(|r| {
            store.connectors.with(|list| {
                r[start..end]
                    .iter()
                    .enumerate()
                    .filter_map(|(k, id)| {
                        list.binary_search_by_key(id, |c| c.id)
                            .ok()
                            .map(|i| (start + k, list[i].clone()))
                    })
                    .collect::<Vec<_>>()
            })
        })
    });

    // The number of rows: they are made again only when it changes (a `For` keyed by place
    // did the same, with a copy of Leptos' keyed diff: 4 KB of the download).
    let count = Memo::new(move |_| visible.with(Vec::len));

    let sort_by = move |key: SortKey| {
        query.update(|q| {
            if q.sort == key {
                q.descending = !q.descending;
            } else {
                q.sort = key;
                q.descending = false;
            }
        })
    };
    // (all shown rows selected, some but not all), in one pass.
    let header = Memo::new(move |_| {
        rows.with(|r| {
            selection.with(|s| {
                let selected = r.iter().filter(|id| s.contains(**id)).count();
                (
                    selected > 0 && selected == r.len(),
                    selected > 0 && selected < r.len(),
                )
            })
        })
    });
    let all_selected = move || header.get().0;
    let some_selected = move || header.get().1;
    let view_state = ViewState::from_context();
    let zone = TimeZone::from_context();
    // While the live stream is down, every status is as of the last word from the server.
    let stale = Memo::new(move |_| {
        store
            .connection
            .with(|l| l.as_ref().is_some_and(Link::statuses_may_be_stale))
    });
    let shown = Memo::new(move |_| {
        let columns = view_state.columns.get();
        query.with(|q| columns.resolve(q))
    });
    let min_width = move || {
        let columns: u32 = shown.get().iter().map(width).sum();
        format!("{}px", CHECK_WIDTH + columns + MENU_WIDTH)
    };

    view! {
        <div class="bs-table-bar">
            <p class="bs-count">
                {move || {
                    let shown = rows.with(Vec::len);
                    let total = store.connectors.with(Vec::len);
                    format!("Showing {shown} of {total} connectors")
                }}
            </p>
            <button
                type="button"
                class="bs-button bs-button--quiet"
                title="The worst status first: Not Connected, Starting, Online with a connection down or away, Online, Ready to Start, Stopped; then by bot"
                aria-pressed=move || query.with(|q| q.sort == SortKey::Problems).to_string()
                on:click=move |_| query.update(ConnectorQuery::toggle_problems_first)
            >
                "Problems first"
            </button>
            <span class="bs-table-bar__views">
                <ViewsMenu />
                <ColumnChooser />
            </span>
            <p class="bs-selection" role="status" aria-live="polite">
                <span>{move || format!("{} selected", selection.with(Selection::len))}</span>
                <When when=move || !selection.with(Selection::is_empty)>
                    <button type="button" class="bs-button bs-button--quiet" on:click=move |_| {
                        selection.update(Selection::clear);
                        deselected.set(None);
                    }>
                        "Clear selection"
                    </button>
                </When>
                <span class="bs-selection__note">{move || deselected.get()}</span>
            </p>
            <ActionsMenu flow=flow targets=selected />
        </div>
        <When when=move || stale.get()>
            <p class="bs-stale" id="bs-stale-note" role="status">
                {move || format!(
                    "The live connection is down: these statuses are as of {}, and may have changed since.",
                    store.updated_at.get().map(|ms| time_of_day(ms, zone)).unwrap_or_else(|| "the last update".to_owned()),
                )}
            </p>
        </When>
        <div class="bs-table-scroll" data-stale=move || stale.get().to_string() node_ref=scroller on:scroll=move |ev| {
            let el: web_sys::Element = event_target(&ev);
            scroll_top.set(f64::from(el.scroll_top()));
            // A row's menu would stay put while its row scrolls away.
            if row_menu.with_untracked(Option::is_some) {
                row_menu.set(None);
            }
            let height = f64::from(el.client_height());
            if viewport.get_untracked() != height {
                viewport.set(height);
            }
        }>
            <table class="bs-table" style:min-width=min_width aria-rowcount=move || (rows.with(Vec::len) + 1).to_string()>
                <thead>
                    <tr aria-rowindex="1">
                        <th class="bs-cell bs-cell--check" scope="col" style:width=format!("{CHECK_WIDTH}px")>
                            <input
                                type="checkbox"
                                aria-label="Select all shown connectors"
                                prop:checked=all_selected
                                prop:indeterminate=some_selected
                                on:click=move |_| rows.with_untracked(|r| selection.update(|s| s.toggle_all(r)))
                            />
                        </th>
                        {move || shown.get()
                            .iter()
                            .map(|column| {
                                let key = column.sort();
                                let label = column.label();
                                let sorted = move || query.with(|q| (q.sort == key).then_some(q.descending));
                                view! {
                                    <th
                                        class="bs-cell bs-cell--head"
                                        class:bs-cell--bot=column == Column::Bot
                                        scope="col"
                                        style:width=format!("{}px", width(column))
                                        aria-sort=move || String::from(match sorted() {
                                            Some(true) => "descending",
                                            Some(false) => "ascending",
                                            None => "none",
                                        })
                                    >
                                        <button type="button" class="bs-sort" title=format!("Sort by {label}") on:click=move |_| sort_by(key)>
                                            <span>{label}</span>
                                            <span class="bs-sort__arrow" aria-hidden="true">
                                                {move || String::from(match sorted() {
                                                    Some(true) => "▼",
                                                    Some(false) => "▲",
                                                    None => "",
                                                })}
                                            </span>
                                        </button>
                                    </th>
                                }.into_any()
                            })
                            .collect_view()}
                        <th class="bs-cell bs-cell--menu" scope="col" style:width=format!("{MENU_WIDTH}px")>
                            <span class="bs-visually-hidden">"Row actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <tr class="bs-spacer" aria-hidden="true" style:height=move || format!("{}px", decimal(window.get().0 as f64 * ROW_HEIGHT, 0))></tr>
                    // Rows are kept by their place in the window, not by connector: a sort, a
                    // scroll or a live update changes the text of the rows already there
                    // instead of building new ones. Rows are added or taken away at the end
                    // only when their number changes.
                    {move || {
                        // `get`, not `track`: tracking a memo that nothing has read never
                        // computes it, so it would never change.
                        let count = count.get();
                        visible.with_untracked(|v| {
                            v.iter()
                                .take(count)
                                .enumerate()
                                .map(|(place, first)| view! { <Row place=place first=first.clone() visible=visible rows=rows shown=shown /> }.into_any())
                                .collect_view()
                        })
                    }}
                    <tr class="bs-spacer" aria-hidden="true" style:height=move || {
                        let (_, end) = window.get();
                        format!("{}px", decimal(rows.with(Vec::len).saturating_sub(end) as f64 * ROW_HEIGHT, 0))
                    }></tr>
                </tbody>
            </table>
            <When when=move || store.loaded() && rows.with(Vec::is_empty)>
                <p class="bs-empty">"No connectors match these filters."</p>
            </When>
        </div>
    }
}

#[component]
fn Row(
    /// The row's place in the window.
    place: usize,
    /// What the window showed there when the row was made.
    first: (usize, Connector),
    /// The connectors in the window, each with its place in the filtered order.
    visible: Memo<Vec<(usize, Connector)>>,
    /// Every row's connector, in order: a shift-click selects a range of them.
    rows: Memo<Vec<ConnectorId>>,
    /// The columns the table shows.
    shown: Memo<ColumnSet>,
) -> impl IntoView {
    let AgentsPage {
        selection,
        details: open_details,
        row_menu,
        ..
    } = AgentsPage::from_context();
    // The connector this row shows now, with its place in the filtered order. It keeps the
    // last one while the window shrinks, until the row is taken away.
    let row = Memo::new(move |prev: Option<&(usize, Connector)>| {
        visible
            .with(|v| v.get(place).cloned())
            .or_else(|| prev.cloned())
            .unwrap_or_else(|| first.clone())
    });
    let id = move || row.with(|(_, c)| c.id);
    // What a click acts on: the connector the row shows at that moment.
    let id_now = move || row.with_untracked(|(_, c)| c.id);
    let names = move |what: &'static str| {
        move || row.with(|(_, c)| format!("{what} {} ({})", c.bot.name, c.settings.agent_user_id))
    };
    let statuses = Memo::new(move |_| row.with(|(_, c)| c.state.statuses()));
    let checked = move || selection.with(|s| s.contains(id()));
    view! {
        <tr
            class="bs-row"
            class:bs-row--selected=checked
            aria-rowindex=move || row.with(|(pos, _)| (pos + 2).to_string())
            on:click=move |_| open_details.set(Some(id_now()))
        >
            <td class="bs-cell bs-cell--check" on:click=|ev| ev.stop_propagation()>
                <input
                    type="checkbox"
                    aria-label=names("Select")
                    prop:checked=checked
                    on:click=move |ev: MouseEvent| {
                        let shift = ev.shift_key();
                        let id = id_now();
                        selection.update(|s| {
                            if shift {
                                rows.with_untracked(|r| s.toggle_range(id, r));
                            } else {
                                s.toggle(id);
                            }
                        });
                    }
                />
            </td>
            {move || shown.get().iter().map(|column| match column {
                Column::Bot => view! {
                    <td class="bs-cell bs-cell--bot">
                        <button
                            type="button"
                            class="bs-linklike"
                            title=move || row.with(|(_, c)| format!("{}: show details", c.bot.name))
                            on:click=move |ev| {
                                ev.stop_propagation();
                                open_details.set(Some(id_now()));
                            }
                        >
                            {move || row.with(|(_, c)| c.bot.name.clone())}
                        </button>
                    </td>
                }.into_any(),
                Column::AgentUserId => text_cell(row, "bs-cell", |c| c.settings.agent_user_id.clone()),
                Column::Account => text_cell(row, "bs-cell", |c| c.settings.account.clone()),
                Column::Environment => text_cell(row, "bs-cell", |c| c.environment().label().to_owned()),
                Column::ConversationType => text_cell(row, "bs-cell", |c| c.conversation_type().label().to_owned()),
                Column::Role => text_cell(row, "bs-cell", |c| c.settings.role.label().to_owned()),
                Column::Conversations => text_cell(row, "bs-cell bs-cell--num", |c| c.concurrent_conversations.to_string()),
                Column::ConnectorStatus => view! { <td class="bs-cell"><StatusBadge value=Signal::derive(move || statuses.get().connector) /></td> }.into_any(),
                Column::Cloud => view! { <td class="bs-cell"><StatusBadge value=Signal::derive(move || statuses.get().cloud) /></td> }.into_any(),
                Column::BotServer => view! { <td class="bs-cell"><StatusBadge value=Signal::derive(move || statuses.get().bot_server) /></td> }.into_any(),
            }).collect_view()}
            <td class="bs-cell bs-cell--menu" on:click=|ev| ev.stop_propagation()>
                <button
                    type="button"
                    class="bs-row-menu-button"
                    data-row-menu=move || id().0.to_string()
                    aria-label=names("Actions for")
                    aria-haspopup="menu"
                    aria-expanded=move || row_menu.with(|m| m.is_some_and(|m| m.id == id())).to_string()
                    on:click=move |ev: MouseEvent| {
                        let button: web_sys::Element = event_target(&ev);
                        row_menu.set(Some(menu_place(id_now(), &button)));
                    }
                >
                    "⋯"
                </button>
            </td>
        </tr>
    }
}

/// A cell of text from the row's connector, with the whole text as its title (the cell cuts
/// what does not fit). One function for every text column, so each adds no code of its own.
/// The title and the text read the memo through closures: Leptos erases a closure to the
/// same attribute and view types as every other reactive text, where the memo itself was a
/// type of its own for each.
fn text_cell(
    row: Memo<(usize, Connector)>,
    class: &'static str,
    f: fn(&Connector) -> String,
) -> AnyView {
    let value = Memo::new(move |_| row.with(|(_, c)| f(c)));
    view! { <td class=class title=move || value.get()>{move || value.get()}</td> }.into_any()
}

/// Where a row's menu opens: under its button, right-aligned with it, or above it when the
/// button is in the lower part of the window.
fn menu_place(id: ConnectorId, button: &web_sys::Element) -> RowMenuAt {
    const MENU_WIDTH: f64 = 320.0;
    let rect = button.get_bounding_client_rect();
    let window_height = web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(800.0);
    let upwards = rect.bottom() > window_height * 0.6;
    RowMenuAt {
        id,
        left: (rect.right() - MENU_WIDTH).max(8.0),
        top: (!upwards).then(|| rect.bottom()),
        bottom: upwards.then(|| window_height - rect.top()),
    }
}
