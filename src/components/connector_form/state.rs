//! What one open form holds: the draft exactly as typed, the bot, which fields to show
//! problems for, what the backend refused, and the connector as the form last saw it.

use bots_status_core::model::{BotId, Connector, ConnectorSettings};
use bots_status_core::settings::{Field, SettingsDraft, SettingsProblem};
use leptos::html;
use leptos::prelude::*;

use crate::components::dialog::elements;

/// Everything one open form holds. `Copy`, so every handler can take it.
#[derive(Clone, Copy)]
pub(super) struct FormState {
    pub draft: RwSignal<SettingsDraft>,
    /// The bot a new connector serves (fixed when editing).
    pub bot: RwSignal<Option<BotId>>,
    /// Fields the user has typed in or left: their problems show. A few dozen at most (two
    /// for each configuration row), so a list: a B-tree set of them linked its own copy of
    /// the B-tree's code.
    pub touched: RwSignal<Vec<Field>>,
    /// After a save was tried every problem shows.
    pub submitted: RwSignal<bool>,
    /// What the backend refused, per field, until that field changes.
    pub refused: RwSignal<Vec<SettingsProblem>>,
    pub parsed: Memo<bots_status_core::settings::Parsed>,
}

impl FormState {
    pub fn new(draft: SettingsDraft, bot: Option<BotId>) -> FormState {
        let draft = RwSignal::new(draft);
        FormState {
            draft,
            bot: RwSignal::new(bot),
            touched: RwSignal::new(Vec::new()),
            submitted: RwSignal::new(false),
            refused: RwSignal::new(Vec::new()),
            parsed: Memo::new(move |_| draft.with(SettingsDraft::parse)),
        }
    }

    /// Changes the draft through `edit` and marks `field` as touched.
    pub fn change(&self, field: Field, edit: impl FnOnce(&mut SettingsDraft)) {
        self.draft.update(edit);
        self.touch(field);
        self.refused.update(|r| r.retain(|p| p.field != field));
    }

    pub fn touch(&self, field: Field) {
        if !self.touched.with_untracked(|t| t.contains(&field)) {
            self.touched.update(|t| t.push(field));
        }
    }

    /// The problems to show next to `field` (tracked).
    pub fn problems(&self, field: Field) -> Vec<SettingsProblem> {
        let visible = self.submitted.get() || self.touched.with(|t| t.contains(&field));
        let mut list: Vec<SettingsProblem> = if visible {
            self.parsed
                .with(|p| p.problems_for(field).cloned().collect())
        } else {
            Vec::new()
        };
        self.refused
            .with(|r| list.extend(r.iter().filter(|p| p.field == field).cloned()));
        list
    }

    pub fn has_error(&self, field: Field) -> bool {
        self.problems(field).iter().any(SettingsProblem::is_error)
    }

    /// Removes configuration row `row`; the findings of later rows move up with them.
    pub fn remove_row(&self, row: usize) {
        self.draft.update(|d| {
            if row < d.custom_config.len() {
                d.custom_config.remove(row);
            }
        });
        let shift = |field: Field| match field {
            Field::ConfigKey(r) if r > row => Some(Field::ConfigKey(r - 1)),
            Field::ConfigValue(r) if r > row => Some(Field::ConfigValue(r - 1)),
            Field::ConfigKey(r) | Field::ConfigValue(r) if r == row => None,
            other => Some(other),
        };
        self.touched
            .update(|t| *t = t.iter().copied().filter_map(shift).collect());
        self.refused.update(|r| {
            r.retain(|p| !matches!(p.field, Field::ConfigKey(_) | Field::ConfigValue(_)))
        });
    }
}

/// The connector as the form last saw it: what it was opened on, moved on when a save finds
/// someone else changed it. A save names its version, and a second Save applies the user's
/// values over the settings it now holds.
#[derive(Clone, Copy)]
pub(super) struct Seen(StoredValue<Option<Connector>>);

impl Seen {
    pub fn new(connector: Option<Connector>) -> Seen {
        Seen(StoredValue::new(connector))
    }

    pub fn connector(&self) -> Option<Connector> {
        self.0.get_value()
    }

    pub fn settings(&self) -> Option<ConnectorSettings> {
        self.0
            .with_value(|c| c.as_ref().map(|c| c.settings.clone()))
    }

    pub fn version(&self) -> Option<u64> {
        self.0.with_value(|c| c.as_ref().map(|c| c.version))
    }

    /// The form has now seen `connector` (and may be gone: a late answer changes nothing).
    pub fn move_on(&self, connector: Option<Connector>) {
        let _ = self.0.try_update_value(|c| *c = connector);
    }
}

/// Moves focus to the first field marked invalid, once the marks are in the page.
pub(super) fn focus_first_invalid(form: NodeRef<html::Form>) {
    request_animation_frame(move || {
        if let Some(el) = form.get_untracked()
            && let Some(first) = elements(&el, "[aria-invalid='true']").first()
        {
            let _ = first.focus();
        }
    });
}
