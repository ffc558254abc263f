//! Sales & Customers teamspace: the sales playbook and account notes, one page per named
//! customer (the onboarding board on monday.com covers the same customers).

use super::PageDoc;

pub const PAGES: &[PageDoc] = &[
    PageDoc {
        key: "sales",
        parent: "",
        title: "Sales & Customers",
        author: "Victor Almeida",
        date: "2025-09-01",
        body: r#"
Account notes, the sales playbook and what we promised to whom. The customer onboarding board on monday.com tracks each new customer from kick-off to go-live.
- [[sales/playbook]]
- [[sales/accounts]]
"#,
    },
    PageDoc {
        key: "sales/playbook",
        parent: "sales",
        title: "Sales playbook",
        author: "Victor Almeida",
        date: "2025-10-01",
        body: r#"
## Discovery calls
Find out who looks at operational data today, how old that data is when they see it, and what a late decision costs them. Never demo in the first call.
## Discounts
| Discount | Who approves |
| Up to 10 % | The account executive |
| 10 % to 20 % | @{Victor Almeida} |
| Over 20 % or multi-year price locks | @{Maya Okafor} and @{Omar Haddad} |
## Hand-off to Customer Success
When a contract is signed, the account executive fills in the hand-off note on the customer onboarding board: goals, stakeholders, promised dates and anything unusual in the contract. The CSM runs the kick-off within five working days.
"#,
    },
    PageDoc {
        key: "sales/accounts",
        parent: "sales",
        title: "Account notes",
        author: "Victor Almeida",
        date: "2025-10-02",
        body: r#"
One page per customer, kept up to date by the account executive and the CSM after every important call.
"#,
    },
    PageDoc {
        key: "sales/meridian",
        parent: "sales/accounts",
        title: "Meridian Health Network",
        author: "Elena Petrova",
        date: "2025-10-20",
        body: r#"
Hospital group with 14 sites in Germany and Austria. Enterprise plan, $240,000 ARR, renewal on January 31, 2027. Account executive @{Elena Petrova}, CSM @{Marcus Johnson}.
## Stakeholders
- Dr. Katrin Vogel, Chief Operating Officer and our executive sponsor.
- Jonas Weber, head of IT, who owns SSO and the security review.
## Current state
They use Kestrel for bed occupancy and operating room utilization dashboards. Usage is high at the Berlin and Vienna sites and low elsewhere.
## Renewal risk
Meridian will only renew if patient-related data stays in the EU. We committed to the Nimbus Frankfurt region by September 15, 2026 ([[product/prd-nimbus]]). Jonas was also affected by the February 11 SSO outage and asked for a written explanation, which @{Ben Carter} sent on February 16.
"#,
    },
    PageDoc {
        key: "sales/copperleaf",
        parent: "sales/accounts",
        title: "Copperleaf Bank",
        author: "Victor Almeida",
        date: "2025-11-05",
        body: r#"
Retail bank in the UK, our largest customer. Enterprise plan, $310,000 ARR. Account executive @{Victor Almeida}, CSM @{Aisha Bello}.
## Renewal request
For the renewal on July 1, 2026, Copperleaf asked for three things:
1. A 15 % discount for a three-year term.
2. An on-premises edition. We said no and offered a dedicated single-tenant region instead.
3. Audit logs exported to their Splunk instance, which Helix delivers in Q2.
@{Maya Okafor} approved a 12 % discount for three years on March 9.
## Open issues
Their analysts report that Orion beta widgets freeze after an SSO session refresh. It is tracked on the Bugs board and blocks them from moving their trading floor screens to Orion.
@pdf https://files.kestrel.example/contracts/copperleaf-msa-2024.pdf Copperleaf master services agreement (2024)
"#,
    },
    PageDoc {
        key: "sales/tidewater",
        parent: "sales/accounts",
        title: "Tidewater Logistics",
        author: "Elena Petrova",
        date: "2026-01-12",
        body: r#"
Freight forwarder based in Rotterdam with 30 warehouses. Business plan, $96,000 ARR, signed January 9, 2026. Account executive @{Elena Petrova}, CSM @{Marcus Johnson}.
## Why they bought
Warehouse managers learn about stopped conveyor lines by phone. They want live throughput per dock, which is exactly the Orion beta; they joined it in February.
## Onboarding
Go-live is planned for April 14. The remaining blocker is their IT team's approval of our SAML configuration; progress is on the customer onboarding board.
"#,
    },
    PageDoc {
        key: "sales/sunpeak",
        parent: "sales/accounts",
        title: "Sunpeak Energy",
        author: "Victor Almeida",
        date: "2025-12-08",
        body: r#"
Operator of solar and wind farms in Colorado and Texas. Business plan, $72,000 ARR. Account executive @{Victor Almeida}, CSM @{Aisha Bello}.
## Escalation in February
Sunpeak's operations director, Carla Mendes, escalated in February because scheduled reports arrived twice and twice with wrong totals after their switch to daylight saving time. The bug is fixed; @{Aisha Bello} offered a one-month service credit, and Carla accepted it on March 2.
## Health
Still at risk. They compare us with building their own dashboards in Grafana. A successful Orion rollout is the best argument to stay.
"#,
    },
    PageDoc {
        key: "sales/harbor-pine",
        parent: "sales/accounts",
        title: "Harbor & Pine Outfitters",
        author: "Elena Petrova",
        date: "2026-02-03",
        body: r#"
Outdoor retailer with 22 stores in Oregon and Washington. Team plan, $18,000 ARR. Account executive @{Elena Petrova}, CSM @{Aisha Bello}.
They track store staffing against foot traffic. Their owner wants to upgrade to Business for Orion once it is generally available, which would take them to about $41,000 ARR.
"#,
    },
    PageDoc {
        key: "sales/bluebird",
        parent: "sales/accounts",
        title: "Bluebird Schools",
        author: "Victor Almeida",
        date: "2025-11-18",
        body: r#"
Network of 40 charter schools in Texas. Business plan, $54,000 ARR. Account executive @{Victor Almeida}, CSM @{Marcus Johnson}.
They use Kestrel for bus routes and attendance. Budgets are set in June, so the renewal conversation must start in April. Their IT director asked whether student data can be excluded from exports; we shipped column-level export controls in January.
"#,
    },
    PageDoc {
        key: "sales/quarry-street",
        parent: "sales/accounts",
        title: "Quarry Street Media",
        author: "Elena Petrova",
        date: "2026-01-26",
        body: r#"
Magazine and podcast publisher in New York. Team plan, $21,000 ARR. Account executive @{Elena Petrova}, CSM @{Marcus Johnson}.
They report on subscriber churn and ad inventory. Their CSV exports of large workspaces time out, which they raised in three support tickets; engineering is working on streaming exports.
"#,
    },
    PageDoc {
        key: "sales/foxglove",
        parent: "sales/accounts",
        title: "Foxglove Pharmacies",
        author: "Victor Almeida",
        date: "2026-02-23",
        body: r#"
Pharmacy chain with 310 stores in Ireland and the UK. Enterprise plan, $188,000 ARR, signed February 20, 2026. Account executive @{Victor Almeida}, CSM @{Aisha Bello}.
Their security review asked for EU data residency and SOC 2 Type II. We shared the Helix timeline and the Nimbus plan; they accepted a contract clause to move to Frankfurt when the region opens.
"#,
    },
];
