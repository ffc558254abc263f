//! The rows of the company's Notion databases: the project tracker, OKRs and the hand-written
//! meeting notes (generated meetings are added by `filler.rs`).

use serde_json::json;

use super::cast::PROJECTS;
use super::databases::{date, multi, option, people, relation, text, ColumnSpec, Table};
use super::notion_build::NotionBuilder;

pub const TRACKER_COLUMNS: &[ColumnSpec] = &[
    ("Project", "title", &[]),
    (
        "Status",
        "status",
        &["Not started", "On track", "At risk", "Done"],
    ),
    ("Product manager", "people", &[]),
    ("Tech lead", "people", &[]),
    ("Target date", "date", &[]),
    ("Priority", "select", &["P0", "P1", "P2"]),
    (
        "Tags",
        "multi_select",
        &[
            "customer-facing",
            "platform",
            "compliance",
            "mobile",
            "revenue",
        ],
    ),
    ("Depends on", "relation", &["product/tracker"]),
    ("Meetings", "relation", &["company/meetings"]),
    ("Spec", "url", &[]),
    ("ID", "unique_id", &["PRJ"]),
    ("Last edited", "last_edited_time", &[]),
];

pub const MEETING_COLUMNS: &[ColumnSpec] = &[
    ("Meeting", "title", &[]),
    ("Date", "date", &[]),
    ("Attendees", "people", &[]),
    (
        "Type",
        "select",
        &[
            "Decision",
            "Review",
            "Planning",
            "Sync",
            "Customer",
            "One-on-one",
        ],
    ),
    ("Project", "relation", &["product/tracker"]),
    ("Decisions", "rich_text", &[]),
    ("Created by", "created_by", &[]),
];

pub const OKR_COLUMNS: &[ColumnSpec] = &[
    ("Key result", "title", &[]),
    (
        "Objective",
        "select",
        &[
            "Keep the customers we have",
            "Win larger customers",
            "Run a reliable platform",
            "Build a great place to work",
        ],
    ),
    ("Quarter", "select", &["Q1 2026", "Q2 2026"]),
    ("Owner", "people", &[]),
    ("Progress", "number", &[]),
    (
        "Status",
        "status",
        &["On track", "At risk", "Off track", "Done"],
    ),
];

/// (project, priority, tags, depends on, meetings, body)
type TrackerRow = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

const TRACKER: &[TrackerRow] = &[
    ("Orion", "P0", &["customer-facing", "revenue"], &["tracker/helix"], &["meetings/orion-go-no-go", "meetings/orion-dark-mode", "meetings/pricing-review"],
     "Status update, April 8: GA moved from April 7 to April 21. Two high-severity findings from the Ironclad Security penetration test must be fixed and retested first, and the Copperleaf SSO freeze bug must be fixed. @{Kenji Watanabe} expects both fixes by April 15."),
    ("Atlas", "P1", &["platform", "revenue"], &[], &["meetings/atlas-kickoff"],
     "Status update, April 1: shadow invoicing in Stripe starts April 6. Finance compares both invoice runs every week. Wave one (Team plan customers) migrates in May."),
    ("Beacon", "P1", &["customer-facing", "mobile"], &["tracker/orion"], &["meetings/beacon-readiness", "meetings/incident-review-0303"],
     "Status update, April 2: the internal beta with 40 employees is stable since the retry backoff fix. App Store submission is planned for April 28 and the public beta for May 12."),
    ("Nimbus", "P1", &["compliance", "platform"], &[], &["meetings/q2-planning"],
     "Not started. Staffed from May with @{Isabel Fernández} and @{Yusuf Demir}, as decided in Q2 planning. Meridian Health Network's renewal depends on the Frankfurt region opening by September 15."),
    ("Helix", "P0", &["compliance"], &[], &["meetings/q2-planning", "meetings/copperleaf-renewal"],
     "Status update, March 30: the audit log beta is live for 12 customers. Splunk export is next, because Copperleaf Bank needs it for their renewal. The SOC 2 Type II observation window runs from April to September."),
];

/// Builds the project tracker under the Product page.
pub fn tracker(b: &mut NotionBuilder, parent: &str) {
    let mut t = Table::create(
        b,
        "product/tracker",
        parent,
        "Project tracker",
        TRACKER_COLUMNS,
        "2025-09-10",
    );
    for (name, prio, tags, deps, meetings, body) in TRACKER {
        let p = PROJECTS
            .iter()
            .find(|p| p.codename == *name)
            .unwrap_or(&PROJECTS[0]);
        let key = format!("tracker/{}", name.to_lowercase());
        let values = vec![
            ("Project", text(name)),
            ("Status", option(p.status)),
            ("Product manager", people(b, &[p.product_manager])),
            ("Tech lead", people(b, &[p.tech_lead])),
            ("Target date", date(p.target)),
            ("Priority", option(prio)),
            ("Tags", multi(tags)),
            ("Depends on", relation(deps)),
            ("Meetings", relation(meetings)),
            (
                "Spec",
                json!(format!(
                    "https://kestrel.example/specs/{}",
                    name.to_lowercase()
                )),
            ),
        ];
        let body = format!("{name} is {}.\n{body}", p.summary);
        t.row(b, &key, values, p.product_manager, "2025-10-01", &body);
    }
}

/// (key, title, day, attendees, type, projects, decisions, body)
type Meeting = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
);

const MEETINGS: &[Meeting] = &[
    ("meetings/pricing-review", "Pricing review", "2026-02-24",
     &["Maya Okafor", "Priya Natarajan", "Omar Haddad", "Victor Almeida", "Amara Nwosu"], "Decision", &["tracker/orion"],
     "Raise the Team plan from $12 to $15 per seat per month from May 1. Existing customers keep their current price for 12 months. Orion is included in Business and Enterprise and is not sold as an add-on.",
     "## Discussion\n@{Omar Haddad} showed that Team plan margins fell below 70 % after the ClickHouse expansion. @{Victor Almeida} worried about churn among small customers; the 12-month price protection answers most of it.\n## Follow-ups\n[ ] Update the pricing page and the order form (@{Priya Natarajan})\n[ ] Email Team plan admins 60 days before the change (@{Marcus Johnson})"),
    ("meetings/orion-go-no-go", "Orion go/no-go", "2026-04-07",
     &["Amara Nwosu", "Kenji Watanabe", "Priya Natarajan", "Ben Carter", "Marcus Johnson"], "Decision", &["tracker/orion"],
     "No-go for April 7. Orion general availability moves to April 21 so the two high-severity penetration test findings can be fixed and retested.",
     "## Status\n- Beta: six customers, 340 weekly viewers, no data-loss issues.\n- Security: @{Ben Carter} reported two open high-severity findings in the streaming endpoint (missing authorization check on widget subscriptions, and tokens accepted after logout).\n- Copperleaf's SSO freeze bug is reproduced; @{Kenji Watanabe} has a fix in review.\n## Decision\nWe do not launch with known high-severity findings. New GA date April 21, with a second go/no-go on April 17."),
    ("meetings/orion-dark-mode", "Design review: Orion dark mode", "2026-02-18",
     &["Sofia Russo", "Kenji Watanabe", "Amara Nwosu"], "Review", &["tracker/orion"],
     "Dark mode ships after GA, in the May release. Wall-mounted screens get a separate high-contrast theme instead of plain dark mode.",
     "@{Sofia Russo} presented two options for dark mode. Operations rooms run dashboards on wall screens all day, where contrast matters more than style. The team chose a dedicated high-contrast wall theme and moved general dark mode after launch to protect the GA date."),
    ("meetings/incident-review-0303", "Incident review: March 3 API outage", "2026-03-06",
     &["Tomás Lindqvist", "Daniel Reyes", "Hannah Becker", "Ravi Shah", "Leo Schmidt"], "Review", &["tracker/beacon"],
     "Validate rendered PgBouncer and Helm configuration in CI before every deploy. Add exponential backoff with jitter to the Beacon app before the public beta. Alert on connection pool wait time.",
     "We walked through the timeline in [[eng/pm-2026-03-03]]. @{Daniel Reyes} asked why a config-only change skipped the canary; the canary only covers image changes today. @{Tomás Lindqvist} will extend it to configuration changes."),
    ("meetings/q2-planning", "Q2 planning", "2026-03-24",
     &["Daniel Reyes", "Priya Natarajan", "Lucas Moreau", "Amara Nwosu", "Isabel Fernández"], "Planning", &["tracker/nimbus", "tracker/helix"],
     "Nimbus is staffed from May with Isabel Fernández and Yusuf Demir. Helix audit log export to Splunk comes before other Helix work because Copperleaf's renewal depends on it.",
     "## Capacity\nEngineering has about 38 engineer-weeks per sprint in Q2. Orion and Atlas take half of it until their launches.\n## Risks\n- Nimbus cannot slip past September 15 without putting the Meridian renewal at risk.\n- Two open engineering roles; see the hiring pipeline board."),
    ("meetings/leadership-0310", "Weekly leadership sync", "2026-03-10",
     &["Maya Okafor", "Daniel Reyes", "Priya Natarajan", "Grace Liu", "Omar Haddad", "Victor Almeida"], "Sync", &[],
     "Open a Senior Site Reliability Engineer role now. Pause the second product designer role until Q3. Approve the office lease extension in Berlin for two years.",
     "@{Grace Liu} reported 43 applications for the Senior Backend Engineer role. @{Daniel Reyes} argued that on-call load after the March 3 outage justifies a second SRE before another designer."),
    ("meetings/atlas-kickoff", "Atlas shadow billing kick-off", "2026-03-31",
     &["Lucas Moreau", "Hannah Becker", "Omar Haddad", "Yusuf Demir"], "Planning", &["tracker/atlas"],
     "Shadow invoicing in Stripe starts on April 6. Finance compares the old and new invoice runs every Monday, and any difference above $1 blocks wave one.",
     "@{Omar Haddad} will sign off on Stripe Tax after two months of matching invoices. @{Hannah Becker} showed the usage reporting job that sends seat counts to Stripe every night."),
    ("meetings/copperleaf-renewal", "Copperleaf renewal strategy", "2026-03-09",
     &["Victor Almeida", "Aisha Bello", "Maya Okafor", "Omar Haddad"], "Customer", &["tracker/helix"],
     "Offer a 12 % discount for a three-year term instead of the 15 % Copperleaf asked for. No on-premises edition; offer a dedicated single-tenant region.",
     "Copperleaf is our largest account. @{Aisha Bello} thinks the Splunk export matters more to them than the discount. @{Maya Okafor} approved the 12 % offer."),
    ("meetings/beacon-readiness", "Beacon beta readiness review", "2026-04-02",
     &["Ravi Shah", "Amara Nwosu", "Chloe Martin", "Marcus Johnson"], "Review", &["tracker/beacon"],
     "The public beta goes ahead on May 12. Login problems get a dedicated support macro, and crash-free sessions must stay above 99.5 % in the last internal week.",
     "@{Chloe Martin} reported 99.7 % crash-free sessions in the internal beta. Offline mode works for 24 hours as the PRD asks."),
];

/// Builds the meeting notes database under `parent` with the hand-written meetings; returns
/// it for the generated ones.
pub fn meetings(b: &mut NotionBuilder, parent: &str) -> Table {
    let mut t = Table::create(
        b,
        "company/meetings",
        parent,
        "Meeting notes",
        MEETING_COLUMNS,
        "2025-09-05",
    );
    for (key, title, day, attendees, kind, projects, decisions, body) in MEETINGS {
        let values = vec![
            ("Meeting", text(title)),
            ("Date", date(day)),
            ("Attendees", people(b, attendees)),
            ("Type", option(kind)),
            ("Project", relation(projects)),
            ("Decisions", text(decisions)),
        ];
        t.row(b, key, values, attendees[0], day, body);
    }
    t
}

/// (key, key result, objective, quarter, owner, progress, status, body)
type Okr = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    &'static str,
    &'static str,
);

const OKRS: &[Okr] = &[
    ("okr/churn", "Reduce monthly logo churn below 1.5 %", "Keep the customers we have", "Q2 2026", "Marcus Johnson", 40.0, "On track",
     "Churn was 2.1 % a month in Q1. Every account with a health score below 60 gets an executive sponsor call, and at-risk renewals such as Sunpeak Energy get a success plan."),
    ("okr/orion-adoption", "30 customers use Orion live dashboards every week", "Keep the customers we have", "Q2 2026", "Amara Nwosu", 20.0, "At risk",
     "Six beta customers use Orion weekly today. The GA slip to April 21 leaves ten weeks in the quarter instead of twelve."),
    ("okr/availability", "99.95 % API availability", "Run a reliable platform", "Q1 2026", "Tomás Lindqvist", 100.0, "Off track",
     "Q1 ended at 99.89 %: the 47-minute outage on March 3 alone used more than the whole quarter's error budget of 65 minutes."),
    ("okr/latency", "API p95 latency under 300 ms", "Run a reliable platform", "Q1 2026", "Hannah Becker", 100.0, "Done",
     "Down from 540 ms to 270 ms after moving dashboard queries to ClickHouse and adding a read replica for reports."),
    ("okr/new-arr", "Close $1.2M of new annual recurring revenue", "Win larger customers", "Q2 2026", "Victor Almeida", 35.0, "On track",
     "Foxglove Pharmacies ($188,000) closed in February. Three EU deals worth $410,000 wait on Nimbus and will not close this quarter."),
    ("okr/soc2", "Start the SOC 2 Type II observation window with no open control gaps", "Win larger customers", "Q2 2026", "Ben Carter", 70.0, "On track",
     "Helix audit logs close the last two control gaps. The auditors start the observation window on April 1."),
    ("okr/manual-invoices", "Fewer than 20 invoices corrected by hand per month", "Keep the customers we have", "Q2 2026", "Lucas Moreau", 10.0, "At risk",
     "Finance corrects about 140 invoices a month in the old invoicer. The number only drops once Atlas migrates the first wave in May."),
    ("okr/hiring", "Hire six engineers, including a senior SRE", "Build a great place to work", "Q2 2026", "Nadia Rahman", 33.0, "On track",
     "Two offers accepted so far. The senior SRE search opened on March 10; candidates are on the hiring pipeline board."),
    ("okr/engagement", "Employee engagement score above 80", "Build a great place to work", "Q2 2026", "Grace Liu", 50.0, "On track",
     "The March pulse survey scored 77. On-call load and unclear career paths for engineers were the two lowest items."),
];

/// Builds the OKR database under `parent`.
pub fn okrs(b: &mut NotionBuilder, parent: &str) {
    let mut t = Table::create(b, "company/okrs", parent, "OKRs", OKR_COLUMNS, "2025-12-15");
    for (key, kr, objective, quarter, owner, progress, status, body) in OKRS {
        let values = vec![
            ("Key result", text(kr)),
            ("Objective", option(objective)),
            ("Quarter", option(quarter)),
            ("Owner", people(b, &[owner])),
            ("Progress", json!(progress)),
            ("Status", option(status)),
        ];
        t.row(b, key, values, owner, "2026-01-05", body);
    }
}
