//! Sentence templates and vocabularies for generated content (extra meetings, bugs, sprint
//! tasks, candidates, customers and their update threads). [`Prose::fill`] replaces
//! `{slot}` placeholders with words drawn from the matching vocabulary or from the cast, so
//! two generated texts rarely share more than a sentence.

use super::cast::{CUSTOMERS, PEOPLE, PROJECTS};
use crate::notion::text::Rng;

pub const FEATURES: &[&str] = &[
    "CSV export",
    "scheduled reports",
    "saved filters",
    "widget sharing",
    "the SAML login page",
    "audit log export",
    "usage alerts",
    "custom roles",
    "bulk user invites",
    "dashboard templates",
    "API tokens",
    "data retention settings",
    "push notifications",
    "offline mode",
    "the admin console",
    "the webhook settings page",
    "chart annotations",
    "the embed widget",
    "workspace switching",
    "the import wizard",
];

pub const SYMPTOMS: &[&str] = &[
    "times out",
    "shows duplicate rows",
    "returns a 500 error",
    "loses the selected time range",
    "renders a blank panel",
    "sends the notification twice",
    "ignores the workspace time zone",
    "shows stale numbers",
    "fails without an error message",
    "logs the user out",
    "double-counts events",
    "crashes on Android 13",
    "rounds currency amounts wrongly",
    "hangs on the loading spinner",
    "drops the last page of results",
];

pub const CONDITIONS: &[&str] = &[
    "for workspaces with more than 50,000 rows",
    "after a plan change",
    "when the session refreshes",
    "in Safari 17",
    "after daylight saving time starts",
    "for users with custom roles",
    "when a filter contains a comma",
    "on slow mobile connections",
    "right after an import finishes",
    "when two admins edit at once",
    "for dashboards shared by link",
    "in the Frankfurt staging region",
    "with more than 40 widgets",
    "for invited guests",
    "after a password reset",
];

pub const CAUSES: &[&str] = &[
    "a missing index on the events table",
    "a race between the cache refresh and the write",
    "an off-by-one error in the pagination cursor",
    "a time zone conversion applied twice",
    "a retry without an idempotency key",
    "an access token that is never refreshed",
    "a query that loads every row into memory",
    "a missing permission check in the serializer",
    "a stale feature flag",
    "an unbounded queue in the worker",
    "a locale-dependent number parser",
    "a default timeout of ten seconds in the HTTP client",
    "a cached permission set that outlives the role change",
];

const VERBS: &[&str] = &[
    "Add",
    "Refactor",
    "Speed up",
    "Document",
    "Instrument",
    "Harden",
    "Migrate",
    "Simplify",
    "Test",
    "Redesign",
    "Clean up",
    "Split",
];

const OBJECTS: &[&str] = &[
    "the retry logic",
    "the permission checks",
    "the nightly export job",
    "the onboarding emails",
    "the chart tooltips",
    "the ClickHouse materialized views",
    "the session handling",
    "the admin audit trail",
    "the integration test suite",
    "the invoice preview",
    "the feature flag cleanup",
    "the error messages",
    "the settings navigation",
    "the usage reporting job",
    "the rate limiter",
    "the empty states",
];

const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

const OPENINGS: &[&str] = &[
    "{person} walked us through the latest numbers for {project}.",
    "We started with a review of last week's action items; two of five are done.",
    "{person} shared feedback from {customer} about {feature}.",
    "The group looked at why {feature} {symptom} {condition}.",
    "{person} opened with the status of {project}, which is {project_summary}.",
    "Most of the time went to planning the next two sprints of {project}.",
    "{customer} joined for the first half to talk about their rollout.",
    "We compared two proposals for {feature} that {person} and {person2} wrote up.",
];

const MIDDLES: &[&str] = &[
    "The likely cause is {cause}, but nobody has confirmed it on production yet.",
    "{person} thinks the estimate of {n} days is optimistic because of {cause}.",
    "Support saw {n} tickets about {feature} last week, most from Business plan customers.",
    "The customer success team wants a workaround before {weekday}, even a manual one.",
    "{person2} pointed out that the change touches {feature} and needs a security review.",
    "There was no agreement on whether to fix this now or after the {project} launch.",
    "Usage of {feature} grew {n} % since January, mostly in larger workspaces.",
    "{person} will pair with {person2} on it so the knowledge is not with one person.",
    "The design for {feature} still has open questions about permissions and sharing.",
    "A quick fix exists, but it would hide the real problem in {feature}.",
    "QA found the issue again on staging, so the earlier fix did not hold.",
    "Finance asked how the change affects invoices for customers on annual plans.",
];

const DECISIONS: &[&str] = &[
    "Ship the fix for {feature} behind a feature flag and enable it for {customer} first.",
    "Move {feature} work to the next sprint and keep the {project} scope as it is.",
    "{person} owns the follow-up and reports back on {weekday}.",
    "Write a short design note on {feature} before any code is written.",
    "Ask {customer} to test the change on staging before we roll it out.",
    "Add an alert so we notice when {feature} {symptom} again.",
    "Pause the work until {person2} is back from leave.",
    "Keep the current behaviour and document it in the help center.",
];

const UPDATES: &[&str] = &[
    "I can reproduce this on staging: {feature} {symptom} {condition}. It looks like {cause}.",
    "{person} from the {customer} account team reported it again this morning, so I raised the priority.",
    "The fix is in review. {person_first}, could you take the QA pass tomorrow?",
    "Handing this over to {person} while I am out until {weekday}; my notes are in the description.",
    "Blocked until {person2} finishes the change to {object}.",
    "Decision from triage: a workaround goes out first and the proper fix lands in a later sprint.",
    "Deployed to production at {hour}:00. I will watch the error rate for the rest of the day.",
    "Talked to {customer}; they can live with the workaround for two more weeks.",
    "I split this into smaller pieces, see the subitems. The first one is ready for review.",
    "Estimate updated to {n} hours after looking at {object} more closely.",
    "Verified on production, closing this. Thanks {person_first}!",
    "Still waiting for logs from {customer}; I pinged their admin again.",
];

/// Fills templates with vocabulary and cast members from a seeded generator.
pub struct Prose {
    pub rng: Rng,
}

impl Prose {
    pub fn new(seed: u64) -> Prose {
        Prose {
            rng: Rng::new(seed),
        }
    }

    /// Replaces every `{slot}` in `template`; two people in one sentence are different.
    pub fn fill(&mut self, template: &str) -> String {
        let a = self.rng.below(PEOPLE.len());
        let b = (a + 1 + self.rng.below(PEOPLE.len() - 1)) % PEOPLE.len();
        let project = self.rng.pick(PROJECTS);
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let Some(end) = rest[start..].find('}') else {
                break;
            };
            let slot = &rest[start + 1..start + end];
            let word = match slot {
                "person" => PEOPLE[a].name.to_string(),
                "person_first" => PEOPLE[a].first().to_string(),
                "person2" => PEOPLE[b].name.to_string(),
                "project" => project.codename.to_string(),
                "project_summary" => project.summary.to_string(),
                "customer" => self.rng.pick(CUSTOMERS).name.to_string(),
                "feature" => self.rng.pick(FEATURES).to_string(),
                "symptom" => self.rng.pick(SYMPTOMS).to_string(),
                "condition" => self.rng.pick(CONDITIONS).to_string(),
                "cause" => self.rng.pick(CAUSES).to_string(),
                "object" => self.rng.pick(OBJECTS).to_string(),
                "weekday" => self.rng.pick(WEEKDAYS).to_string(),
                "n" => (2 + self.rng.below(37)).to_string(),
                "hour" => (9 + self.rng.below(8)).to_string(),
                other => other.to_string(),
            };
            out.push_str(&word);
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        capitalize(out)
    }

    /// One filled template out of `templates`.
    pub fn one(&mut self, templates: &[&str]) -> String {
        let t = *self.rng.pick(templates);
        self.fill(t)
    }

    /// `n` distinct filled templates out of `templates`.
    pub fn some(&mut self, templates: &[&str], n: usize) -> Vec<String> {
        let mut picked: Vec<usize> = Vec::new();
        while picked.len() < n.min(templates.len()) {
            let i = self.rng.below(templates.len());
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        picked
            .into_iter()
            .map(|i| self.fill(templates[i]))
            .collect()
    }

    /// A meeting's discussion: an opening and two to four further sentences.
    pub fn discussion(&mut self) -> String {
        let mut s = vec![self.one(OPENINGS)];
        let n = 2 + self.rng.below(3);
        s.extend(self.some(MIDDLES, n));
        s.join(" ")
    }

    /// One or two decisions.
    pub fn decisions(&mut self) -> String {
        let n = 1 + self.rng.below(2);
        self.some(DECISIONS, n).join(" ")
    }

    /// A comment in an item's update thread.
    pub fn update(&mut self) -> String {
        self.one(UPDATES)
    }

    /// A bug title such as "Saved filters shows stale numbers after a plan change".
    pub fn bug_title(&mut self) -> String {
        let t = format!(
            "{} {} {}",
            self.rng.pick(FEATURES),
            self.rng.pick(SYMPTOMS),
            self.rng.pick(CONDITIONS)
        );
        capitalize(t)
    }

    /// A task title such as "Harden the retry logic".
    pub fn task_title(&mut self) -> String {
        format!("{} {}", self.rng.pick(VERBS), self.rng.pick(OBJECTS))
    }
}

/// Upper-cases the first letter.
pub fn capitalize(mut s: String) -> String {
    if let Some(first) = s.chars().next() {
        let upper: String = first.to_uppercase().collect();
        s.replace_range(..first.len_utf8(), &upper);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_every_slot() {
        let mut p = Prose::new(3);
        for t in OPENINGS
            .iter()
            .chain(MIDDLES)
            .chain(DECISIONS)
            .chain(UPDATES)
        {
            let s = p.fill(t);
            assert!(!s.contains('{') && !s.contains('}'), "{s}");
            assert!(s.chars().next().is_some_and(|c| !c.is_lowercase()), "{s}");
        }
    }

    #[test]
    fn same_seed_same_text() {
        assert_eq!(Prose::new(5).discussion(), Prose::new(5).discussion());
    }
}
