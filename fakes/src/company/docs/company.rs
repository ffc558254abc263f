//! Company teamspace: the home page and the handbook. The meeting notes and OKR databases
//! hang here too (built in `databases.rs`).

use super::PageDoc;

pub const PAGES: &[PageDoc] = &[
    PageDoc {
        key: "company",
        parent: "",
        title: "Kestrel Labs",
        author: "Maya Okafor",
        date: "2025-09-01",
        body: r#"
Kestrel Labs makes Kestrel, the operations analytics platform that shows warehouses, hospitals, schools and energy operators what is happening right now. We are 48 people in Berlin, Austin and remote.
## Find your way around
- **Engineering**: runbooks, postmortems, architecture decisions and on-call.
- **Product**: the roadmap, requirements and launch plans.
- **People**: onboarding, policies and benefits.
- **Sales & Customers**: the playbook and account notes.
The meeting notes and OKR databases below are shared by every team.
"#,
    },
    PageDoc {
        key: "company/handbook",
        parent: "company",
        title: "Company handbook",
        author: "Maya Okafor",
        date: "2025-09-02",
        body: r#"
## Mission
Give every operations team a live, trustworthy picture of their work, so they can act before small problems become expensive ones.
## Values
> Write it down. A decision that is not written down did not happen.
- **Customers first, then the team, then yourself.**
- **Small, safe changes.** Ship often, roll back without shame.
- **Default to open.** Almost every page in Notion is visible to everyone.
## Who does what
| Area | Lead |
| Company | Maya Okafor, CEO |
| Engineering | Daniel Reyes |
| Product | Priya Natarajan |
| People | Grace Liu |
| Finance | Omar Haddad |
| Sales | Victor Almeida |
## How we decide
Decisions that affect more than one team are made in the weekly leadership sync on Tuesdays and recorded in the meeting notes database with the decision spelled out.
"#,
    },
];
