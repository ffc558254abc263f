//! The company's monday.com boards: product roadmap, sprints, bugs, hiring pipeline and
//! customer onboarding, with the hand-written items whose update threads carry the
//! blockers, decisions and hand-offs the Notion pages refer to. Generated items are added by
//! `filler.rs` on the same boards.

use super::cast::CUSTOMERS;
use super::monday_build::{column, MondayBuilder};

/// Board ids, for the filler.
pub struct Boards {
    pub sprint: u64,
    pub bugs: u64,
    pub hiring: u64,
    pub onboarding: u64,
}

pub const WORKSPACES: &[&str] = &["Product & Engineering", "People", "Customers"];
pub const PROJECT_LABELS: &[&str] = &["Orion", "Atlas", "Beacon", "Nimbus", "Helix", "Platform"];
pub const BUG_STATUS: &[&str] = &["Triaged", "Fixed", "Fixing", "New", "Won't fix"];
pub const SEVERITY: &[&str] = &["High", "Low", "Critical", "Medium"];
pub const STAGES: &[&str] = &[
    "Phone screen",
    "Hired",
    "Rejected",
    "Applied",
    "Technical interview",
    "Onsite",
    "Offer sent",
];
pub const SPRINT_STATUS: &[&str] = &["In progress", "Done", "Stuck", "To do", "In review"];
pub const ROLES: &[&str] = &[
    "Senior Site Reliability Engineer",
    "Senior Backend Engineer",
    "Account Executive, EMEA",
    "Product Designer",
];

/// Creates the five boards with their hand-written items.
pub fn build(m: &mut MondayBuilder) -> Boards {
    let road = roadmap(m);
    let b = Boards {
        sprint: sprint(m),
        bugs: bugs(m),
        hiring: hiring(m),
        onboarding: onboarding(m),
    };
    roadmap_items(m, road);
    sprint_items(m, b.sprint);
    bug_items(m, b.bugs);
    hiring_items(m, b.hiring);
    onboarding_items(m, b.onboarding);
    b
}

fn roadmap(m: &mut MondayBuilder) -> u64 {
    let cols = vec![
        column("name", "Name", "name", &[]),
        column("subitems", "Milestones", "subtasks", &[]),
        column(
            "status",
            "Status",
            "status",
            &["Working on it", "Done", "Stuck", "Planned"],
        ),
        column("person", "Owner", "people", &[]),
        column("timeline", "Timeline", "timeline", &[]),
        column("project", "Project", "dropdown", PROJECT_LABELS),
        column("tags", "Tags", "tags", &[]),
        column("notes", "Summary", "long_text", &[]),
    ];
    m.board(
        0,
        "Product roadmap 2026",
        "Every launch planned for 2026, by quarter",
        &["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"],
        cols,
        "Priya Natarajan",
    )
}

fn sprint(m: &mut MondayBuilder) -> u64 {
    let cols = vec![
        column("name", "Task", "name", &[]),
        column("subitems", "Subtasks", "subtasks", &[]),
        column("status", "Status", "status", SPRINT_STATUS),
        column("person", "Owner", "people", &[]),
        column("points", "Story points", "numbers", &[]),
        column("project", "Project", "dropdown", PROJECT_LABELS),
        column("date", "Due", "date", &[]),
        column("tags", "Tags", "tags", &[]),
        column("notes", "Details", "long_text", &[]),
    ];
    m.board(
        0,
        "Engineering sprints",
        "Two-week sprints of the platform and product teams",
        &[
            "Sprint 14 (Mar 2 to Mar 13)",
            "Sprint 15 (Mar 16 to Mar 27)",
            "Sprint 16 (Mar 30 to Apr 10)",
            "Backlog",
        ],
        cols,
        "Daniel Reyes",
    )
}

fn bugs(m: &mut MondayBuilder) -> u64 {
    let cols = vec![
        column("name", "Bug", "name", &[]),
        column("status", "Status", "status", BUG_STATUS),
        column("severity", "Severity", "status", SEVERITY),
        column("person", "Assignee", "people", &[]),
        column("customer", "Reported by customer", "text", &[]),
        column("project", "Area", "dropdown", PROJECT_LABELS),
        column("date", "Reported", "date", &[]),
        column("tags", "Tags", "tags", &[]),
        column("notes", "Description", "long_text", &[]),
    ];
    m.board(
        0,
        "Bugs",
        "Customer-reported and internal bugs, triaged every Tuesday and Thursday",
        &["New", "In progress", "Done"],
        cols,
        "Chloe Martin",
    )
}

fn hiring(m: &mut MondayBuilder) -> u64 {
    let cols = vec![
        column("name", "Candidate", "name", &[]),
        column("subitems", "Interviews", "subtasks", &[]),
        column("status", "Stage", "status", STAGES),
        column("person", "Hiring manager", "people", &[]),
        column("interviewers", "Interviewers", "people", &[]),
        column("date", "Next step", "date", &[]),
        column(
            "source",
            "Source",
            "dropdown",
            &["Referral", "LinkedIn", "Careers page", "Agency"],
        ),
        column("rating", "Score", "rating", &[]),
        column("notes", "Notes", "long_text", &[]),
    ];
    m.board(
        1,
        "Hiring pipeline",
        "Candidates for every open role, one group per role",
        ROLES,
        cols,
        "Nadia Rahman",
    )
}

fn onboarding(m: &mut MondayBuilder) -> u64 {
    let cols = vec![
        column("name", "Customer", "name", &[]),
        column("subitems", "Steps", "subtasks", &[]),
        column(
            "status",
            "Status",
            "status",
            &["Implementation", "Live", "Blocked", "Kick-off"],
        ),
        column("person", "CSM", "people", &[]),
        column("ae", "Account executive", "people", &[]),
        column(
            "plan",
            "Plan",
            "dropdown",
            &["Team", "Business", "Enterprise"],
        ),
        column("arr", "ARR ($)", "numbers", &[]),
        column("date", "Go-live", "date", &[]),
        column("tags", "Tags", "tags", &[]),
        column("notes", "Hand-off notes", "long_text", &[]),
    ];
    m.board(
        2,
        "Customer onboarding",
        "New customers from kick-off to go-live",
        &["Kick-off", "Implementation", "Live"],
        cols,
        "Marcus Johnson",
    )
}

fn s(v: &str) -> String {
    v.to_string()
}

fn roadmap_items(m: &mut MondayBuilder, board: u64) {
    let orion = m.item(board, 1, "Orion general availability", &[
        ("status", s("Stuck")), ("person", s("Amara Nwosu")), ("timeline", s("2026-02-02 - 2026-04-21")),
        ("project", s("Orion")), ("tags", s("launch, blocked")),
        ("notes", s("Real-time dashboards for Business and Enterprise. GA moved from April 7 to April 21.")),
    ], "Amara Nwosu", "2026-01-12");
    for (name, status, owner, day) in [
        (
            "Fix penetration test findings",
            "Stuck",
            "Ben Carter",
            "2026-04-15",
        ),
        (
            "Help center articles",
            "Working on it",
            "Amara Nwosu",
            "2026-04-17",
        ),
        (
            "Sales enablement session",
            "Not started",
            "Victor Almeida",
            "2026-04-14",
        ),
    ] {
        m.subitem(orion, name, status, owner, day);
    }
    m.update(orion, "Ben Carter", "2026-04-03", 2,
        "Ironclad Security sent the penetration test report. Two high-severity findings in the streaming endpoint: widget subscriptions skip the authorization check, and streaming tokens still work after logout.\nBoth must be fixed and retested before GA.",
        &[("Kenji Watanabe", "I have a fix for the authorization check in review. The token revocation needs a change in the session service, which Yusuf owns."),
          ("Amara Nwosu", "Thanks. I am adding this to the go/no-go agenda for Tuesday.")]);
    m.update(orion, "Amara Nwosu", "2026-04-07", 5,
        "Blocked: GA cannot ship until Ironclad retests the two high-severity findings. Decision at today's go/no-go: GA moves from April 7 to April 21, with a second go/no-go on April 17.\nThe Copperleaf SSO freeze bug also has to be fixed before GA.",
        &[("Priya Natarajan", "Agreed. Marketing moves the launch blog post to April 21."),
          ("Marcus Johnson", "I will tell the six beta customers today.")]);
    m.update(orion, "Kenji Watanabe", "2026-04-09", 1,
        "Hand-off: I am out Friday, Yusuf Demir takes over the token revocation change and the retest coordination with Ironclad.",
        &[("Yusuf Demir", "Got it. Retest is booked for April 15.")]);

    let atlas = m.item(
        board,
        1,
        "Atlas: billing on Stripe",
        &[
            ("status", s("Working on it")),
            ("person", s("Lucas Moreau")),
            ("timeline", s("2026-03-02 - 2026-06-30")),
            ("project", s("Atlas")),
            ("tags", s("billing")),
            (
                "notes",
                s("Shadow invoicing from April 6, three migration waves, cut-over June 30."),
            ),
        ],
        "Lucas Moreau",
        "2026-01-15",
    );
    for (name, status, owner, day) in [
        (
            "Shadow invoicing",
            "Working on it",
            "Hannah Becker",
            "2026-04-06",
        ),
        (
            "Wave one: Team plan customers",
            "Not started",
            "Lucas Moreau",
            "2026-05-18",
        ),
        (
            "Stripe Tax sign-off",
            "Not started",
            "Omar Haddad",
            "2026-06-05",
        ),
    ] {
        m.subitem(atlas, name, status, owner, day);
    }
    m.update(atlas, "Lucas Moreau", "2026-03-31", 3,
        "Kick-off done. Shadow invoicing starts April 6 and Finance compares both invoice runs every Monday. Any difference above $1 blocks wave one.",
        &[("Omar Haddad", "I need two clean months before I sign off on Stripe Tax.")]);

    let beacon = m.item(
        board,
        1,
        "Beacon public beta",
        &[
            ("status", s("Working on it")),
            ("person", s("Ravi Shah")),
            ("timeline", s("2026-03-02 - 2026-05-12")),
            ("project", s("Beacon")),
            ("tags", s("launch, mobile")),
            (
                "notes",
                s("iOS and Android beta for Business and Enterprise customers on May 12."),
            ),
        ],
        "Amara Nwosu",
        "2026-01-20",
    );
    m.subitem(
        beacon,
        "App Store submission",
        "Not started",
        "Ravi Shah",
        "2026-04-28",
    );
    m.subitem(
        beacon,
        "Retry backoff with jitter",
        "Done",
        "Ravi Shah",
        "2026-03-13",
    );
    m.update(beacon, "Ravi Shah", "2026-03-13", 4,
        "Exponential backoff with jitter is merged, as the March 3 postmortem asked. The app now waits up to 30 seconds between retries instead of retrying immediately.",
        &[("Tomás Lindqvist", "Thank you, that closes the last action item on the Beacon side.")]);

    let nimbus = m.item(
        board,
        2,
        "Nimbus: Frankfurt region",
        &[
            ("status", s("Planned")),
            ("person", s("Isabel Fernández")),
            ("timeline", s("2026-05-04 - 2026-09-15")),
            ("project", s("Nimbus")),
            ("tags", s("compliance")),
            (
                "notes",
                s("EU data residency. Meridian Health Network's renewal depends on it."),
            ),
        ],
        "Lucas Moreau",
        "2026-01-26",
    );
    m.update(nimbus, "Lucas Moreau", "2026-03-24", 6,
        "Q2 planning decision: Isabel and Yusuf start on Nimbus in May. The September 15 date is fixed because of the Meridian renewal.",
        &[]);

    let helix = m.item(
        board,
        1,
        "Helix: audit log export to Splunk",
        &[
            ("status", s("Working on it")),
            ("person", s("Ben Carter")),
            ("timeline", s("2026-03-16 - 2026-05-29")),
            ("project", s("Helix")),
            ("tags", s("compliance, enterprise")),
            (
                "notes",
                s("Copperleaf Bank needs audit logs in Splunk for their renewal on July 1."),
            ),
        ],
        "Priya Natarajan",
        "2026-02-02",
    );
    m.update(helix, "Ben Carter", "2026-03-25", 2,
        "Moved ahead of the rest of Helix after Q2 planning. First version pushes audit events to Splunk's HTTP event collector every minute.",
        &[("Aisha Bello", "Copperleaf's security team would like to try it on their staging Splunk in May.")]);

    for (group, name, status, owner, range, project, summary) in [
        (
            0,
            "Helix audit log beta",
            "Done",
            "Ben Carter",
            "2026-01-05 - 2026-03-27",
            "Helix",
            "Audit log beta for 12 customers.",
        ),
        (
            0,
            "Beacon internal beta",
            "Done",
            "Ravi Shah",
            "2026-01-12 - 2026-03-06",
            "Beacon",
            "40 employees use the app daily.",
        ),
        (
            2,
            "SOC 2 Type II report",
            "Planned",
            "Ben Carter",
            "2026-04-01 - 2026-09-30",
            "Helix",
            "Observation window April to September.",
        ),
        (
            3,
            "Orion alerts and anomaly detection",
            "Planned",
            "Amara Nwosu",
            "2026-10-01 - 2026-12-11",
            "Orion",
            "Alerts when a live metric leaves its usual range.",
        ),
        (
            3,
            "Usage-based pricing experiment",
            "Planned",
            "Priya Natarajan",
            "2026-10-05 - 2026-12-18",
            "Atlas",
            "Needs Atlas: Stripe can bill usage, the old invoicer cannot.",
        ),
    ] {
        m.item(
            board,
            group,
            name,
            &[
                ("status", s(status)),
                ("person", s(owner)),
                ("timeline", s(range)),
                ("project", s(project)),
                ("notes", s(summary)),
            ],
            owner,
            "2026-01-05",
        );
    }
}

fn sprint_items(m: &mut MondayBuilder, board: u64) {
    let stripe = m.item(board, 2, "Send nightly seat counts to Stripe", &[
        ("status", s("In review")), ("person", s("Yusuf Demir")), ("points", s("5")), ("project", s("Atlas")),
        ("date", s("2026-04-03")), ("notes", s("Usage reporting job for Atlas: seats and active viewers per workspace, every night at 01:00 UTC.")),
    ], "Hannah Becker", "2026-03-27");
    m.subitem(
        stripe,
        "Idempotency keys for usage records",
        "Done",
        "Yusuf Demir",
        "2026-04-01",
    );
    m.subitem(
        stripe,
        "Alert when the job fails",
        "Working on it",
        "Leo Schmidt",
        "2026-04-03",
    );
    m.update(stripe, "Yusuf Demir", "2026-04-01", 3,
        "The usage reporting job is in review. It retries with an idempotency key so a rerun never double-bills a customer.",
        &[("Hannah Becker", "Looks good. Please add the failure alert before we turn it on for shadow invoicing.")]);

    let sso = m.item(
        board,
        2,
        "Fix live widget freeze after SSO session refresh",
        &[
            ("status", s("In progress")),
            ("person", s("Kenji Watanabe")),
            ("points", s("3")),
            ("project", s("Orion")),
            ("date", s("2026-04-10")),
            ("tags", s("blocked")),
        ],
        "Kenji Watanabe",
        "2026-03-30",
    );
    m.update(sso, "Kenji Watanabe", "2026-04-06", 2,
        "Root cause: the streaming connection keeps the old session token, and the server closes it silently when SSO refreshes the session. The fix reconnects with the new token.\nWaiting for Copperleaf to test it on staging.",
        &[("Aisha Bello", "Copperleaf can test on Wednesday afternoon.")]);

    let pool = m.item(
        board,
        0,
        "Validate PgBouncer settings in CI",
        &[
            ("status", s("Done")),
            ("person", s("Hannah Becker")),
            ("points", s("2")),
            ("project", s("Platform")),
            ("date", s("2026-03-11")),
            (
                "notes",
                s("Action item from the March 3 outage postmortem."),
            ),
        ],
        "Tomás Lindqvist",
        "2026-03-05",
    );
    m.update(pool, "Hannah Becker", "2026-03-10", 1,
        "CI now renders the Helm values and checks PgBouncer settings against a schema. A pool size below 200 fails the build.",
        &[]);

    let alert = m.item(
        board,
        1,
        "Alert on connection pool wait time",
        &[
            ("status", s("Stuck")),
            ("person", s("Leo Schmidt")),
            ("points", s("2")),
            ("project", s("Platform")),
            ("date", s("2026-03-27")),
        ],
        "Tomás Lindqvist",
        "2026-03-12",
    );
    m.update(alert, "Leo Schmidt", "2026-03-24", 4,
        "Stuck: PgBouncer 1.21 does not export wait time per pool, only totals. Upgrading to 1.22 first; the upgrade is scheduled for next sprint.",
        &[("Tomás Lindqvist", "Fine, carry it over to sprint 16.")]);
}

fn bug_items(m: &mut MondayBuilder, board: u64) {
    let csv = m.item(board, 1, "CSV export times out for large workspaces", &[
        ("status", s("Fixing")), ("severity", s("High")), ("person", s("Yusuf Demir")),
        ("customer", s("Quarry Street Media")), ("project", s("Platform")), ("date", s("2026-02-17")),
        ("tags", s("export")),
        ("notes", s("Exports of more than about 200,000 rows fail after 30 seconds with a gateway timeout.")),
    ], "Marcus Johnson", "2026-02-17");
    m.update(csv, "Yusuf Demir", "2026-02-24", 3,
        "Cause: the export builds the whole file in memory and only starts sending when it is complete, so the load balancer's 30 second timeout hits first on big workspaces.\nFix: stream rows as they are read, in batches of 5,000.",
        &[("Marcus Johnson", "Quarry Street asked for the third time. Can we give them a date?"),
          ("Yusuf Demir", "Streaming export ships in sprint 16. Until then, exporting one month at a time works.")]);

    let freeze = m.item(board, 1, "Live widgets freeze after SSO session refresh", &[
        ("status", s("Fixing")), ("severity", s("Critical")), ("person", s("Kenji Watanabe")),
        ("customer", s("Copperleaf Bank")), ("project", s("Orion")), ("date", s("2026-03-27")),
        ("tags", s("sso, blocked")),
        ("notes", s("Orion beta widgets stop updating about eight hours after login, when the SSO session refreshes.")),
    ], "Aisha Bello", "2026-03-27");
    m.update(freeze, "Aisha Bello", "2026-03-27", 2,
        "Copperleaf Bank's analysts see frozen widgets on their trading floor screens every afternoon. They will not move those screens to Orion until this is fixed.",
        &[("Kenji Watanabe", "Reproduced. The streaming connection keeps the expired token. Fix tracked on the sprint board.")]);

    let dst = m.item(board, 2, "Scheduled reports sent twice after daylight saving time change", &[
        ("status", s("Fixed")), ("severity", s("High")), ("person", s("Isabel Fernández")),
        ("customer", s("Sunpeak Energy")), ("project", s("Platform")), ("date", s("2026-02-09")),
        ("tags", s("reports")),
        ("notes", s("Reports scheduled at 6:00 local time went out twice with wrong totals after the clock change.")),
    ], "Aisha Bello", "2026-02-09");
    m.update(dst, "Isabel Fernández", "2026-02-12", 5,
        "The scheduler converted local time to UTC twice, once when saving and once when running. Fixed and backfilled the wrong totals for Sunpeak Energy.",
        &[("Aisha Bello", "Thanks! I offered Sunpeak a one-month credit for the trouble.")]);

    let ios = m.item(
        board,
        0,
        "Beacon login loops on iOS after password reset",
        &[
            ("status", s("New")),
            ("severity", s("Medium")),
            ("person", s("Ravi Shah")),
            ("project", s("Beacon")),
            ("date", s("2026-04-06")),
            ("tags", s("mobile")),
        ],
        "Chloe Martin",
        "2026-04-06",
    );
    m.update(ios, "Chloe Martin", "2026-04-06", 1,
        "Found during the beta readiness test: after a password reset the app shows the login screen again and again until it is reinstalled.",
        &[]);
}

fn hiring_items(m: &mut MondayBuilder, board: u64) {
    let jordan = m.item(board, 0, "Jordan Ellis", &[
        ("status", s("Offer sent")), ("person", s("Tomás Lindqvist")),
        ("interviewers", s("Tomás Lindqvist, Leo Schmidt, Daniel Reyes")),
        ("date", s("2026-04-10")), ("source", s("Referral")), ("rating", s("5")),
        ("notes", s("Eight years of SRE work at a payments company, ran their Kubernetes migration.")),
    ], "Nadia Rahman", "2026-03-12");
    m.subitem(jordan, "Phone screen", "Done", "Nadia Rahman", "2026-03-16");
    m.subitem(
        jordan,
        "Incident simulation",
        "Done",
        "Leo Schmidt",
        "2026-03-24",
    );
    m.subitem(
        jordan,
        "Final interview",
        "Done",
        "Daniel Reyes",
        "2026-03-30",
    );
    m.update(jordan, "Tomás Lindqvist", "2026-03-30", 4,
        "Strong hire from me. Jordan ran the incident simulation calmly, found the pool exhaustion in ten minutes and wrote the clearest timeline we have seen.",
        &[("Daniel Reyes", "Agreed, strong hire. Let's make an offer at the top of the band."),
          ("Nadia Rahman", "Offer sent on April 2. Jordan will answer by April 10.")]);

    let sam = m.item(
        board,
        0,
        "Sam Okonkwo",
        &[
            ("status", s("Onsite")),
            ("person", s("Tomás Lindqvist")),
            ("interviewers", s("Leo Schmidt, Hannah Becker")),
            ("date", s("2026-04-13")),
            ("source", s("LinkedIn")),
            ("rating", s("4")),
        ],
        "Nadia Rahman",
        "2026-03-18",
    );
    m.update(sam, "Leo Schmidt", "2026-04-01", 2,
        "Good Linux and networking depth, less experience with Postgres. Keep as backup if Jordan declines.",
        &[]);

    let designer = m.item(
        board,
        3,
        "Lina Haddad",
        &[
            ("status", s("Rejected")),
            ("person", s("Priya Natarajan")),
            ("interviewers", s("Sofia Russo")),
            ("source", s("Careers page")),
            ("rating", s("3")),
        ],
        "Nadia Rahman",
        "2026-02-20",
    );
    m.update(designer, "Nadia Rahman", "2026-03-11", 3,
        "The second designer role is paused until Q3 after the leadership sync on March 10, so we closed this application and told Lina we would reach out in the summer.",
        &[]);
}

fn onboarding_items(m: &mut MondayBuilder, board: u64) {
    for (i, c) in CUSTOMERS.iter().enumerate() {
        let (group, status, go_live) = match c.name {
            "Tidewater Logistics" => (1, "Blocked", "2026-04-14"),
            "Foxglove Pharmacies" => (0, "Kick-off", "2026-06-01"),
            _ => (
                2,
                "Live",
                ["2025-10-06", "2025-11-03", "2025-12-01", "2026-01-12"][i % 4],
            ),
        };
        let notes = format!(
            "{} in {}, {} plan, ${} ARR. Account executive {}, CSM {}.",
            c.name, c.industry, c.plan, c.arr, c.account_executive, c.csm
        );
        let id = m.item(
            board,
            group,
            c.name,
            &[
                ("status", s(status)),
                ("person", s(c.csm)),
                ("ae", s(c.account_executive)),
                ("plan", s(c.plan)),
                ("arr", c.arr.to_string()),
                ("date", s(go_live)),
                ("notes", notes),
            ],
            c.account_executive,
            "2025-09-15",
        );
        let done = if status == "Live" {
            "Done"
        } else {
            "Working on it"
        };
        m.subitem(
            id,
            "SSO setup",
            if c.name == "Tidewater Logistics" {
                "Stuck"
            } else {
                done
            },
            c.csm,
            go_live,
        );
        m.subitem(id, "Data import", done, c.csm, go_live);
        m.subitem(
            id,
            "Admin training",
            if status == "Live" {
                "Done"
            } else {
                "Not started"
            },
            c.csm,
            go_live,
        );
        onboarding_thread(m, id, c.name);
    }
}

fn onboarding_thread(m: &mut MondayBuilder, id: u64, customer: &str) {
    match customer {
        "Tidewater Logistics" => {
            m.update(id, "Elena Petrova", "2026-01-12", 1,
                "Hand-off to Customer Success: Tidewater wants live throughput per dock for 30 warehouses. Promised go-live April 14. Their IT lead is Pieter de Vries, who owns SSO.",
                &[("Marcus Johnson", "Thanks Elena, kick-off is booked for January 15.")]);
            m.update(id, "Marcus Johnson", "2026-04-02", 3,
                "Blocked: Tidewater's IT security team has not approved our SAML configuration yet, so SSO setup is stuck. Everything else is ready. Go-live on April 14 is at risk if the approval does not come by April 9.",
                &[("Freya Jensen", "I sent Pieter the answers to their security questionnaire again this morning."),
                  ("Marcus Johnson", "Escalated to their CIO through Elena.")]);
        }
        "Foxglove Pharmacies" => {
            m.update(id, "Victor Almeida", "2026-02-23", 2,
                "Hand-off to Customer Success: 310 stores, contract says they move to the Frankfurt region when Nimbus opens. Go-live target June 1 for the first 50 stores.",
                &[("Aisha Bello", "Kick-off on March 3 with their operations and IT leads.")]);
        }
        "Meridian Health Network" => {
            m.update(id, "Marcus Johnson", "2026-02-16", 4,
                "Meridian's IT head Jonas Weber got our written explanation of the February 11 SSO outage. He wants the certificate monitoring confirmed in the next quarterly review.",
                &[]);
        }
        "Sunpeak Energy" => {
            m.update(id, "Aisha Bello", "2026-03-02", 2,
                "Carla Mendes accepted the one-month service credit for the duplicated scheduled reports. Health score back to 62 but still at risk.",
                &[]);
        }
        _ => {}
    }
}
