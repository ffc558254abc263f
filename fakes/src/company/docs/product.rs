//! Product teamspace: the roadmap, product requirement documents and launch plans.

use super::PageDoc;

pub const PAGES: &[PageDoc] = &[
    PageDoc {
        key: "product",
        parent: "",
        title: "Product",
        author: "Priya Natarajan",
        date: "2025-09-01",
        body: r#"
The Product teamspace holds what we are building and why. Start with [[product/roadmap]]; every project on it has a PRD, and projects close to launch have a launch plan.
@columns
  @column
    ### Requirements
    - [[product/prd-orion]]
    - [[product/prd-atlas]]
    - [[product/prd-beacon]]
    - [[product/prd-nimbus]]
  @column
    ### Launches
    - [[product/launch-orion]]
    - [[product/launch-beacon]]
"#,
    },
    PageDoc {
        key: "product/roadmap",
        parent: "product",
        title: "Product roadmap 2026",
        author: "Priya Natarajan",
        date: "2026-01-05",
        body: r#"
This is the narrative version of the roadmap; the dates and owners live on the monday.com roadmap board and are kept in sync every Monday by @{Priya Natarajan}.
## Themes for 2026
1. **See your operations live.** Orion brings real-time dashboards.
2. **Sell to larger and regulated customers.** Helix delivers audit logs and SOC 2 Type II; Nimbus adds EU data residency.
3. **Meet supervisors where they work.** Beacon puts Kestrel on phones.
4. **Fix the money plumbing.** Atlas moves billing to Stripe.
## By quarter
| Quarter | Launches | Owner |
| Q1 2026 | Helix audit log beta, Beacon internal beta | Priya Natarajan |
| Q2 2026 | Orion GA (April 21), Beacon public beta (May 12), Atlas cut-over (June 30) | Amara Nwosu, Lucas Moreau |
| Q3 2026 | Nimbus Frankfurt region (September 15), Helix SOC 2 Type II report | Lucas Moreau, Ben Carter |
| Q4 2026 | Orion alerts and anomaly detection, usage-based pricing experiment | Amara Nwosu |
## What we are not doing this year
- An on-premises edition. Copperleaf Bank asked for it; we offered Nimbus-style dedicated regions instead.
- A public marketplace for third-party widgets.
"#,
    },
    PageDoc {
        key: "product/prd-orion",
        parent: "product",
        title: "PRD: Orion real-time dashboards",
        author: "Amara Nwosu",
        date: "2025-11-03",
        body: r#"
Owner: @{Amara Nwosu}. Tech lead: @{Kenji Watanabe}. Design: @{Sofia Russo}.
## Problem
Operations managers look at Kestrel dashboards that refresh every 15 minutes. When a warehouse line stops, they hear about it by phone long before the dashboard shows it. In interviews, 9 of 12 customers named stale data as their biggest frustration.
## Goals
- Dashboards refresh every five seconds for workspaces on the Business and Enterprise plans.
- A dashboard with 20 widgets loads in under two seconds at the 95th percentile.
- Weekly active dashboard viewers grow 25 % within three months of launch.
## Non-goals
- Alerting and anomaly detection (planned for Q4).
- Real-time refresh on the Team plan.
## Requirements
[x] Streaming aggregates from ClickHouse materialized views ([[eng/adr-004]]).
[x] Live indicator and pause button on every widget.
[ ] Dark mode for wall-mounted screens.
[ ] Audit trail of dashboard edits through Helix.
@embed https://www.figma.com/file/orion-dashboards Orion dashboard designs in Figma
@image https://assets.kestrel.example/orion/architecture.png Orion data flow from ingestion to the browser
"#,
    },
    PageDoc {
        key: "product/prd-atlas",
        parent: "product",
        title: "PRD: Atlas billing migration",
        author: "Lucas Moreau",
        date: "2025-12-01",
        body: r#"
Owner: @{Lucas Moreau}. Tech lead: @{Hannah Becker}.
## Problem
Our in-house invoicer was written in 2019 for monthly per-seat plans. It cannot do annual prepayment with monthly true-ups, proration on plan changes or usage-based pricing, so Finance fixes about 140 invoices by hand every month. @{Omar Haddad} estimates that costs two working days a month and delays revenue recognition.
## Solution
Move subscriptions, invoices and payment collection to Stripe Billing. Kestrel keeps the source of truth for seats and usage and reports them to Stripe daily.
## Migration plan
1. Mirror every new subscription in Stripe from April (shadow mode) and compare invoices.
2. Migrate existing customers in three waves, smallest plans first.
3. Cut over on June 30 and switch off the old invoicer at the end of Q3.
## Risks
- Customers who pay by bank transfer need new remittance details; Customer Success contacts each of them.
- Tax calculation changes from our own tables to Stripe Tax; Finance must sign off on the first two months.
"#,
    },
    PageDoc {
        key: "product/prd-beacon",
        parent: "product",
        title: "PRD: Beacon mobile app",
        author: "Amara Nwosu",
        date: "2025-10-15",
        body: r#"
Owner: @{Amara Nwosu}. Tech lead: @{Ravi Shah}.
## Problem
Field supervisors spend most of the day away from a desk. Today they screenshot dashboards and send them around in group chats.
## Goals
- A native iOS and Android app that shows a supervisor's dashboards and pushes a notification when a metric crosses a threshold.
- Works offline with the last synced data for up to 24 hours.
## Scope of the public beta
- Read-only dashboards, push notifications and sharing a widget as an image.
- Single sign-on through the customer's identity provider.
!! Since the March 3 outage the app must use exponential backoff with jitter for every retry; see [[eng/pm-2026-03-03]].
"#,
    },
    PageDoc {
        key: "product/prd-nimbus",
        parent: "product",
        title: "PRD: Nimbus EU data residency",
        author: "Lucas Moreau",
        date: "2026-01-20",
        body: r#"
Owner: @{Lucas Moreau}. Tech lead: @{Isabel Fernández}.
## Problem
European customers in healthcare and banking must keep personal data inside the EU. Meridian Health Network made it a condition of their 2027 renewal, and Foxglove Pharmacies asked for it in their security review. Three open deals worth $410,000 in annual revenue are waiting on it.
## Solution
A complete Kestrel region in Frankfurt (AWS eu-central-1): application servers, PostgreSQL, ClickHouse and backups, with no replication of customer data outside the EU. New workspaces choose their region at sign-up; existing workspaces move during a maintenance window.
## Open questions
>> Do support engineers outside the EU need access?
  Only with the customer's approval, through a just-in-time access request that is logged.
>> What about the mobile push notification service?
  Notifications carry no personal data, only a dashboard name and a number.
"#,
    },
    PageDoc {
        key: "product/launch-orion",
        parent: "product",
        title: "Orion launch plan",
        author: "Amara Nwosu",
        date: "2026-02-16",
        body: r#"
General availability of Orion is planned for **April 21, 2026**, two weeks later than first planned; the go/no-go meeting on {date 2026-04-07} moved it. Owner: @{Amara Nwosu}.
## Launch checklist
[x] Beta with six customers, including Tidewater Logistics and Sunpeak Energy
[x] Pricing decided: included in Business and Enterprise
[ ] Penetration test findings fixed and retested
[ ] Help center articles and release video
[ ] Sales enablement session for the account executives
## Risks and dependencies
- The external penetration test by Ironclad Security found two high-severity issues in the streaming endpoint. GA cannot ship until both are fixed and retested.
- Copperleaf Bank reported that live widgets freeze after an SSO session refresh; the fix is on the Bugs board.
## Communication
Blog post and email to all admins on launch day, written by marketing with @{Priya Natarajan}. Account executives brief their Enterprise customers a week before.
@video https://videos.kestrel.example/orion-demo.mp4 Orion demo recording for the sales team
"#,
    },
    PageDoc {
        key: "product/launch-beacon",
        parent: "product",
        title: "Beacon public beta launch plan",
        author: "Ravi Shah",
        date: "2026-03-16",
        body: r#"
The Beacon public beta opens on **May 12, 2026** in the App Store and Google Play. Owners: @{Amara Nwosu} and @{Ravi Shah}.
## Before the beta
[x] Internal beta with 40 Kestrel employees
[x] Retry backoff fixed after the March 3 outage
[ ] App Store review submitted by April 28
[ ] Support macros for login problems
## Who gets it
All customers on Business and Enterprise plans can opt in from the admin settings. We expect about 2,000 supervisors in the first month.
"#,
    },
];
