//! What Save does: check everything again (and stop at the first problem, keeping what was
//! typed), stop when someone else changed the connector since the form saw it, else send the
//! add or the edit and place what the backend refuses at its field.

use bots_status_core::config::Severity;
use bots_status_core::lifecycle::{Action, ActionKind, Refused};
use bots_status_core::model::{BotRef, ConnectorId};
use bots_status_core::settings::{Field, SettingsProblem, changed_fields, connector_changes};
use bots_status_core::words::plural;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::FormOpener;
use super::state::{FormState, Seen, focus_first_invalid};
use crate::backend::{BackendError, BackendRef};
use crate::components::toasts::Toasts;
use crate::context::HostEvents;
use crate::store::FleetStore;

/// Everything a save reads and reports to. `Copy`, so the submit handler can take it.
#[derive(Clone, Copy)]
pub(super) struct Save {
    pub form: FormState,
    /// The connector being edited; `None` for a new one.
    pub editing: Option<ConnectorId>,
    pub seen: Seen,
    /// The bot a new connector serves, by id: `None` while none is chosen.
    pub bot: Signal<Option<BotRef>>,
    pub saving: RwSignal<bool>,
    /// The sentence under the form: what the save did, or why not.
    pub outcome: RwSignal<Option<String>>,
    pub advanced_open: RwSignal<bool>,
    pub form_ref: NodeRef<html::Form>,
    pub forms: FormOpener,
    pub store: FleetStore,
    pub backend: BackendRef,
    pub toasts: Toasts,
    pub events: StoredValue<HostEvents>,
}

impl Save {
    pub fn run(self) {
        let form = self.form;
        form.submitted.set(true);
        self.outcome.set(None);
        let parsed = form.parsed.get_untracked();
        let (Some(settings), Some(bot)) = (parsed.settings.clone(), self.bot.get_untracked())
        else {
            let in_advanced = parsed.problems.iter().any(|p| {
                p.is_error()
                    && matches!(
                        p.field,
                        Field::FallbackSkillId
                            | Field::ExternalWebhookUrl
                            | Field::ConfigKey(_)
                            | Field::ConfigValue(_)
                    )
            });
            if in_advanced {
                self.advanced_open.set(true);
            }
            let count = parsed.problems.iter().filter(|p| p.is_error()).count()
                + usize::from(form.bot.get_untracked().is_none());
            self.outcome.set(Some(format!(
                "Not saved: fix the {count} problem{} marked above. Everything you entered is kept.",
                plural(count)
            )));
            focus_first_invalid(self.form_ref);
            return;
        };
        if let Some(id) = self.editing
            && let Some(now) = self.store.get_untracked(id)
            && let Some(before) = self.seen.settings()
            && now.settings != before
        {
            let changed = changed_fields(&before, &now.settings);
            self.seen.move_on(Some(now));
            self.outcome.set(Some(format!(
                "Not saved: this connector's {} changed since you opened the form (see its details). Everything you entered is kept: Save again to keep your values.",
                changed.join(", ")
            )));
            return;
        }
        self.saving.set(true);
        let agent = settings.agent_user_id.clone();
        let environment = settings.environment;
        let future = self.backend.with_value(|b| match self.editing {
            Some(id) => b.act(id, Action::Edit(Box::new(settings)), self.seen.version()),
            None => b.add(bot.clone(), settings),
        });
        spawn_local(async move {
            let result = future.await;
            let _ = self.saving.try_set(false);
            let not_saved = |why: String| {
                let _ = self.outcome.try_set(Some(why));
            };
            match result {
                Ok(_) => {
                    let said = match self.editing {
                        Some(_) => format!(
                            "{} ({agent}): settings saved. {} Restart it when convenient.",
                            bot.name,
                            ActionKind::Edit.note()
                        ),
                        None => format!(
                            "{}: connector for {agent} added to {}, Ready to Start. Start it to deploy the bot.",
                            bot.name,
                            environment.label()
                        ),
                    };
                    let action = if self.editing.is_some() {
                        "Edit"
                    } else {
                        "Add"
                    };
                    self.events.with_value(|e| e.action(action, &said, 1, 0, 0));
                    self.toasts.done(said);
                    self.forms.close();
                }
                Err(BackendError::Refused(Refused::InvalidSettings { problems })) => {
                    let count = problems.len();
                    let _ = form.refused.try_set(problems);
                    not_saved(format!(
                        "Not saved: the backend found {count} problem{} (marked above). Everything you entered is kept.",
                        plural(count)
                    ));
                    focus_first_invalid(self.form_ref);
                }
                Err(BackendError::Refused(refused @ Refused::Unauthorized { .. })) => {
                    let _ = form.refused.try_set(vec![SettingsProblem {
                        field: Field::AgentUserId,
                        severity: Severity::Error,
                        message: refused.to_string(),
                    }]);
                    not_saved(
                        "Not saved: 401 unauthorized (see Agent User ID). Everything you entered is kept.".to_owned(),
                    );
                    focus_first_invalid(self.form_ref);
                }
                Err(BackendError::Conflict(now)) => {
                    // Someone else saved first: say what they changed, and move on to their
                    // version so a second Save applies these values over theirs knowingly.
                    let changed = self
                        .seen
                        .connector()
                        .map(|before| connector_changes(&before, &now))
                        .unwrap_or_default();
                    let what = if changed.is_empty() {
                        "this connector was updated".to_owned()
                    } else {
                        format!("this connector's {} changed", changed.join(", "))
                    };
                    self.seen.move_on(Some(*now));
                    not_saved(format!(
                        "Not saved: {what} since you opened the form (see its details). Everything you entered is kept: Save again to keep your values."
                    ));
                }
                Err(e) => not_saved(format!(
                    "Not saved: {e} Everything you entered is kept; try again."
                )),
            }
        });
    }
}
