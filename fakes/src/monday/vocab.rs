//! Built-in vocabulary for the generator: names, work phrases, places and labels, so generated
//! boards read like a real account. Pure data tables.

/// (ISO code, name) pairs for `country` columns.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("US", "United States"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("JP", "Japan"),
    ("BR", "Brazil"),
    ("IN", "India"),
    ("CA", "Canada"),
    ("IL", "Israel"),
    ("GB", "United Kingdom"),
    ("ES", "Spain"),
    ("AU", "Australia"),
    ("KE", "Kenya"),
];

/// (city, lat, lng, country) for `location` columns.
pub const CITIES: &[(&str, f64, f64, &str)] = &[
    ("Paris", 48.8566, 2.3522, "France"),
    ("Berlin", 52.52, 13.405, "Germany"),
    ("Tokyo", 35.6762, 139.6503, "Japan"),
    ("Sao Paulo", -23.5505, -46.6333, "Brazil"),
    ("Mumbai", 19.076, 72.8777, "India"),
    ("Toronto", 43.6532, -79.3832, "Canada"),
    ("Tel Aviv", 32.0853, 34.7818, "Israel"),
    ("London", 51.5072, -0.1276, "United Kingdom"),
    ("Madrid", 40.4168, -3.7038, "Spain"),
    ("Sydney", -33.8688, 151.2093, "Australia"),
    ("Nairobi", -1.2921, 36.8219, "Kenya"),
    ("Chicago", 41.8781, -87.6298, "United States"),
];

/// IANA time zones for `world_clock` columns.
pub const TIMEZONES: &[&str] = &[
    "Europe/Paris",
    "America/New_York",
    "Asia/Tokyo",
    "Asia/Jerusalem",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Europe/London",
];

pub const FIRST_NAMES: &[&str] = &[
    "Ava", "Noah", "Maya", "Liam", "Yuki", "Omar", "Lena", "Diego", "Priya", "Jonas", "Amara",
    "Tomas", "Chloe", "Ravi", "Ingrid", "Kofi", "Sofia", "Mateo", "Hana", "Elias",
];

pub const LAST_NAMES: &[&str] = &[
    "Cohen", "Martin", "Tanaka", "Silva", "Patel", "Schmidt", "Okafor", "Garcia", "Larsen",
    "Dubois", "Kim", "Novak", "Haddad", "Rossi", "Walsh", "Mendes", "Sato", "Bauer",
];

pub const JOB_TITLES: &[&str] = &[
    "Product Manager",
    "Designer",
    "Backend Engineer",
    "Support Lead",
    "Marketing Specialist",
    "Data Analyst",
    "Sales Director",
    "Recruiter",
    "QA Engineer",
    "Operations Manager",
];

pub const WORKSPACE_NAMES: &[&str] = &[
    "Product & Engineering",
    "Marketing",
    "Customer Success",
    "Operations",
    "Sales",
    "People",
    "Finance",
    "Design Studio",
];

pub const BOARD_THEMES: &[&str] = &[
    "Roadmap",
    "Sprint Backlog",
    "Bug Tracker",
    "Content Calendar",
    "Hiring Pipeline",
    "Customer Onboarding",
    "Vendor Contracts",
    "Event Planning",
    "Release Checklist",
    "Support Escalations",
    "Campaign Tracker",
    "Inventory",
    "Office Moves",
    "Partner Deals",
    "Research Notes",
    "Budget Requests",
    "Security Reviews",
    "Website Redesign",
    "Feature Requests",
    "Training Plan",
    "Localization",
    "Data Migration",
];

pub const VERBS: &[&str] = &[
    "Draft",
    "Review",
    "Ship",
    "Fix",
    "Migrate",
    "Refactor",
    "Plan",
    "Audit",
    "Design",
    "Negotiate",
    "Translate",
    "Document",
    "Test",
    "Launch",
    "Archive",
    "Benchmark",
    "Prototype",
    "Schedule",
    "Onboard",
    "Investigate",
];

pub const ADJECTIVES: &[&str] = &[
    "quarterly",
    "mobile",
    "legacy",
    "customer-facing",
    "internal",
    "annual",
    "regional",
    "experimental",
    "critical",
    "shared",
    "automated",
    "multilingual",
    "premium",
    "offline",
];

pub const NOUNS: &[&str] = &[
    "\"Q3\" kickoff deck",
    "Zürich office move",
    "résumé screening",
    "R&D <beta> notes",
    "café partner's menu",
    "invoice flow",
    "login page",
    "pricing table",
    "search index",
    "onboarding email",
    "payment gateway",
    "analytics dashboard",
    "press release",
    "contract renewal",
    "API rate limiter",
    "help center article",
    "webinar",
    "data warehouse",
    "newsletter",
    "checkout form",
    "SSO integration",
    "export job",
    "release notes",
    "survey",
    "keynote deck",
];

pub const SENTENCES: &[&str] = &[
    "Waiting on legal to confirm the wording before we publish.",
    "The staging environment reproduces the issue about half the time.",
    "Customer asked for a demo next Tuesday, please prepare the sandbox.",
    "Numbers look better after the cache change, latency dropped noticeably.",
    "We agreed to split this into two smaller deliverables.",
    "Blocked until the vendor sends the signed purchase order.",
    "Design review went well; a few copy tweaks are still pending.",
    "Please double-check the translations for the German locale.",
    "Moved to next sprint because of the holiday schedule.",
    "The dashboard now refreshes every five minutes instead of hourly.",
    "Finance needs the final estimate by the end of the month.",
    "Attached the latest screenshots from the QA run.",
];

/// Group titles with their monday colours.
pub const GROUPS: &[(&str, &str)] = &[
    ("This week", "#579bfc"),
    ("Next week", "#a25ddc"),
    ("Backlog", "#c4c4c4"),
    ("Done", "#00c875"),
    ("Blocked", "#e2445c"),
];

pub const STATUS_LABELS: &[&str] = &["Working on it", "Done", "Stuck", "Not started", "In review"];
pub const PRIORITY_LABELS: &[&str] = &["Critical", "High", "Medium", "Low"];
pub const DROPDOWN_LABELS: &[&str] = &["Web", "iOS", "Android", "Backend", "Data", "Docs"];
pub const TAGS: &[&str] = &[
    "urgent",
    "customer",
    "q3",
    "tech-debt",
    "design",
    "legal",
    "growth",
];
pub const FILE_NAMES: &[&str] = &[
    "spec.pdf",
    "mockup.png",
    "contract.docx",
    "budget.xlsx",
    "notes.txt",
];
pub const LINK_SITES: &[(&str, &str)] = &[
    ("https://docs.example.com/spec", "Spec"),
    ("https://github.com/acme/app/pull/42", "Pull request"),
    ("https://figma.com/file/abc", "Figma"),
    ("https://example.org/report", "Report"),
];
