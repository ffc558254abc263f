//! Generated content that grows with `scale`: more meetings, customers (an account-notes page
//! in Notion and an onboarding item on monday.com for each), bugs, sprint tasks and
//! candidates, all written by [`Prose`] from the cast and vocabularies. Everything here is
//! added after the hand-written content, so the ids of hand-written pages and items do not
//! depend on the scale.

use chrono::{Duration, NaiveDate};

use super::boards::{Boards, BUG_STATUS, PROJECT_LABELS, ROLES, SEVERITY, SPRINT_STATUS, STAGES};
use super::cast::{Person, CUSTOMERS, PEOPLE};
use super::databases::{date, option, people, relation, text, Table};
use super::monday_build::MondayBuilder;
use super::notion_build::{minutes, NotionBuilder};
use super::prose::Prose;
use crate::notion::Parent;

/// How much generated content one unit of scale adds.
pub const MEETINGS: usize = 16;
pub const CUSTOMERS_PER_SCALE: usize = 4;
pub const BUGS: usize = 24;
pub const TASKS: usize = 30;
pub const CANDIDATES: usize = 10;

const PREFIXES: &[&str] = &[
    "Silverline",
    "Granite",
    "Maple",
    "Northgate",
    "Cedar",
    "Ironwood",
    "Summit",
    "Lakeside",
    "Red Rock",
    "Willow",
    "Orchard",
    "Pinecrest",
    "Riverbend",
    "Highland",
    "Bayview",
    "Stonebridge",
];
const SUFFIXES: &[&str] = &[
    "Dental Group",
    "Freight",
    "Clinics",
    "Foods",
    "Utilities",
    "Academy",
    "Hotels",
    "Cold Storage",
    "Farms",
    "Manufacturing",
    "Transit",
    "Labs",
    "Care Homes",
    "Breweries",
];
const INDUSTRIES: &[&str] = &[
    "dental care",
    "trucking",
    "outpatient care",
    "food production",
    "water utilities",
    "vocational training",
    "hospitality",
    "cold-chain storage",
    "agriculture",
    "manufacturing",
    "public transport",
    "clinical testing",
    "elderly care",
    "brewing",
];
const CITIES: &[&str] = &[
    "Chicago",
    "Lyon",
    "Leeds",
    "Toronto",
    "Hamburg",
    "Madrid",
    "Seattle",
    "Milan",
    "Atlanta",
    "Utrecht",
    "Gothenburg",
    "Phoenix",
];
const FIRST: &[&str] = &[
    "Alex", "Bianca", "Carlos", "Dana", "Emil", "Fatima", "Georg", "Hiro", "Ines", "Jonas", "Kara",
    "Lars", "Mira", "Nico", "Olga", "Pablo", "Rosa", "Stefan", "Tara", "Umar", "Vera", "Wes",
    "Yara", "Zoltan",
];
const LAST: &[&str] = &[
    "Andersen", "Baptiste", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hoffmann",
    "Ivanova", "Jansen", "Kowalski", "Lopez", "Meyer", "Novak", "Oliveira", "Park", "Quinn",
    "Rossi", "Sato", "Torres", "Urban", "Varga", "Walsh", "Young",
];
const MEETING_TITLES: &[&str] = &[
    "Engineering sync",
    "Product weekly",
    "Customer success standup",
    "Sprint review",
    "Sprint retrospective",
    "Security review",
    "Design critique",
    "Support escalation review",
    "Data platform sync",
    "Sales pipeline review",
    "Mobile team sync",
    "Architecture review",
];
const FEEDBACK: &[&str] = &[
    "{first} explained past projects clearly and asked good questions about our on-call load.",
    "Solid fundamentals, but {first} struggled with the system design part of the interview.",
    "{first} would raise the bar on the team; the take-home was the best this month.",
    "Communication was excellent. Technical depth is closer to mid-level than senior.",
    "{first} wants to start in June and asked about the remote work policy.",
    "Good culture add. {first} ran a migration similar to Atlas at a previous job.",
    "Not a fit for this role; I suggested the backend role to {first} instead.",
];

/// Adds `scale` units of generated content to both sides.
pub fn grow(
    n: &mut NotionBuilder,
    meetings: &mut Table,
    m: &mut MondayBuilder,
    boards: &Boards,
    scale: usize,
    seed: u64,
) {
    let mut p = Prose::new(seed);
    for i in 0..MEETINGS * scale {
        meeting(n, meetings, &mut p, i);
    }
    for i in 0..CUSTOMERS_PER_SCALE * scale {
        customer(n, m, boards.onboarding, &mut p, i);
    }
    for _ in 0..BUGS * scale {
        bug(m, boards.bugs, &mut p);
    }
    for _ in 0..TASKS * scale {
        task(m, boards.sprint, &mut p);
    }
    for i in 0..CANDIDATES * scale {
        candidate(m, boards.hiring, &mut p, i);
    }
}

/// A working day between October 2025 and early April 2026.
fn day(p: &mut Prose) -> String {
    let start = NaiveDate::from_ymd_opt(2025, 10, 6).unwrap_or_default();
    let weeks = p.rng.below(26) as i64;
    let weekday = p.rng.below(5) as i64;
    (start + Duration::days(weeks * 7 + weekday)).to_string()
}

fn someone(p: &mut Prose) -> &'static Person {
    p.rng.pick(PEOPLE)
}

fn engineer(p: &mut Prose) -> &'static str {
    let engineers: Vec<&Person> = PEOPLE.iter().filter(|x| x.team == "Engineering").collect();
    p.rng.pick(&engineers).name
}

fn meeting(n: &mut NotionBuilder, t: &mut Table, p: &mut Prose, i: usize) {
    let d = day(p);
    let title = format!("{}, {}", p.rng.pick(MEETING_TITLES), pretty(&d));
    let mut attendees: Vec<&str> = Vec::new();
    for _ in 0..2 + p.rng.below(4) {
        let who = someone(p).name;
        if !attendees.contains(&who) {
            attendees.push(who);
        }
    }
    let project = format!(
        "tracker/{}",
        p.rng.pick(PROJECT_LABELS[..5].as_ref()).to_lowercase()
    );
    let decisions = p.decisions();
    let kind = if title.starts_with("Sprint") {
        "Review"
    } else {
        "Sync"
    };
    let values = vec![
        ("Meeting", text(&title)),
        ("Date", date(&d)),
        ("Attendees", people(n, &attendees)),
        ("Type", option(kind)),
        ("Project", relation(&[project.as_str()])),
        ("Decisions", text(&decisions)),
    ];
    let follow = p.update();
    let body = format!(
        "## Notes\n{}\n## Follow-ups\n[ ] {}",
        p.discussion(),
        follow
    );
    t.row(
        n,
        &format!("meetings/generated-{i}"),
        values,
        attendees[0],
        &d,
        &body,
    );
}

/// `2026-03-03` → `March 3, 2026`.
fn pretty(d: &str) -> String {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map(|x| x.format("%B %-d, %Y").to_string())
        .unwrap_or_else(|_| d.to_string())
}

/// The `i`-th generated customer: (name, industry, city).
pub fn generated_customer(i: usize) -> (String, &'static str, &'static str) {
    let pi = i % PREFIXES.len();
    let si = (i / PREFIXES.len() + i) % SUFFIXES.len();
    let round = i / (PREFIXES.len() * SUFFIXES.len());
    let mut name = format!("{} {}", PREFIXES[pi], SUFFIXES[si]);
    if round > 0 {
        name.push_str(&format!(" {}", CITIES[round % CITIES.len()]));
    }
    (name, INDUSTRIES[si], CITIES[(i * 5) % CITIES.len()])
}

fn customer(n: &mut NotionBuilder, m: &mut MondayBuilder, board: u64, p: &mut Prose, i: usize) {
    let (name, industry, city) = generated_customer(i);
    let owners = p.rng.pick(CUSTOMERS);
    let (ae, csm) = (owners.account_executive, owners.csm);
    let plan = *p.rng.pick(&["Team", "Business", "Enterprise"]);
    let arr = 12_000 + 3_000 * p.rng.below(60);
    let sites = 3 + p.rng.below(60);
    let d = day(p);
    let body = format!(
        "{name} works in {industry} and is based in {city}, with {sites} sites. {plan} plan, ${arr} ARR. Account executive @{{{ae}}}, CSM @{{{csm}}}.\n## Notes from recent calls\n{}\n{}",
        p.discussion(),
        p.decisions()
    );
    let parent = n
        .id_of("sales/accounts")
        .map(Parent::Page)
        .unwrap_or(Parent::Workspace);
    let id = n.plain_page(
        &format!("sales/generated-{i}"),
        parent,
        &name,
        ae,
        minutes(&d),
    );
    n.content(&id, &body);
    let (group, status) = *p.rng.pick(&[
        (0, "Kick-off"),
        (1, "Implementation"),
        (2, "Live"),
        (1, "Blocked"),
    ]);
    let notes = format!("{name}, {industry} in {city}. {plan} plan, ${arr} ARR.");
    let item = m.item(
        board,
        group,
        &name,
        &[
            ("status", status.to_string()),
            ("person", csm.to_string()),
            ("ae", ae.to_string()),
            ("plan", plan.to_string()),
            ("arr", arr.to_string()),
            ("date", d.clone()),
            ("notes", notes),
        ],
        ae,
        &d,
    );
    for step in ["SSO setup", "Data import", "Admin training"] {
        let st = if status == "Live" {
            "Done"
        } else {
            *p.rng.pick(&["Working on it", "Not started", "Done"])
        };
        m.subitem(item, step, st, csm, &d);
    }
    thread(m, item, p, &d);
}

fn thread(m: &mut MondayBuilder, item: u64, p: &mut Prose, d: &str) {
    for k in 0..p.rng.below(4) {
        let author = someone(p).name;
        let said = p.update();
        let replies: Vec<(&str, String)> = (0..p.rng.below(2))
            .map(|_| (someone(p).name, p.update()))
            .collect();
        let replies: Vec<(&str, &str)> = replies.iter().map(|(a, s)| (*a, s.as_str())).collect();
        m.update(item, author, d, 2 + 20 * k as i64, &said, &replies);
    }
}

fn bug(m: &mut MondayBuilder, board: u64, p: &mut Prose) {
    let title = p.bug_title();
    let d = day(p);
    let status = *p.rng.pick(BUG_STATUS);
    let group = match status {
        "New" => 0,
        "Fixed" | "Won't fix" => 2,
        _ => 1,
    };
    let description =
        p.fill("Reported by {customer}. First seen on {weekday}; {n} users affected so far.");
    let item = m.item(
        board,
        group,
        &title,
        &[
            ("status", status.to_string()),
            ("severity", p.rng.pick(SEVERITY).to_string()),
            ("person", engineer(p).to_string()),
            ("customer", p.rng.pick(CUSTOMERS).name.to_string()),
            ("project", p.rng.pick(PROJECT_LABELS).to_string()),
            ("date", d.clone()),
            ("notes", description),
        ],
        someone(p).name,
        &d,
    );
    thread(m, item, p, &d);
}

fn task(m: &mut MondayBuilder, board: u64, p: &mut Prose) {
    let project = *p.rng.pick(PROJECT_LABELS);
    let title = format!("{} in {project}", p.task_title());
    let d = day(p);
    let owner = engineer(p);
    let details = p.one(&[
        "Part of the {project} work planned for this quarter.",
        "Follow-up from the {feature} discussion in the engineering sync.",
        "Requested by {customer} through their CSM.",
    ]);
    let item = m.item(
        board,
        p.rng.below(4),
        &title,
        &[
            ("status", p.rng.pick(SPRINT_STATUS).to_string()),
            ("person", owner.to_string()),
            ("points", (1 + p.rng.below(8)).to_string()),
            ("project", project.to_string()),
            ("date", d.clone()),
            ("notes", details),
        ],
        owner,
        &d,
    );
    if p.rng.chance(0.3) {
        let sub = p.task_title();
        m.subitem(item, &sub, "Working on it", owner, &d);
    }
    thread(m, item, p, &d);
}

fn candidate(m: &mut MondayBuilder, board: u64, p: &mut Prose, i: usize) {
    let first = FIRST[(i * 7 + 3) % FIRST.len()];
    let last = LAST[(i * 11 + i / LAST.len()) % LAST.len()];
    let role = p.rng.below(ROLES.len());
    let manager = [
        "Tomás Lindqvist",
        "Hannah Becker",
        "Victor Almeida",
        "Priya Natarajan",
    ][role];
    let d = day(p);
    let item = m.item(
        board,
        role,
        &format!("{first} {last}"),
        &[
            ("status", p.rng.pick(STAGES).to_string()),
            ("person", manager.to_string()),
            ("interviewers", engineer(p).to_string()),
            ("date", d.clone()),
            (
                "source",
                p.rng
                    .pick(&["Referral", "LinkedIn", "Careers page", "Agency"])
                    .to_string(),
            ),
            ("rating", (1 + p.rng.below(5)).to_string()),
        ],
        "Nadia Rahman",
        &d,
    );
    for k in 0..1 + p.rng.below(2) {
        let said = p.rng.pick(FEEDBACK).replace("{first}", first);
        m.update(item, engineer(p), &d, 3 + 24 * k as i64, &said, &[]);
    }
}
