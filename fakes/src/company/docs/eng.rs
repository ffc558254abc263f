//! Engineering teamspace: runbooks (with code), incident postmortems, architecture decision
//! records, the on-call handbook and capacity planning (with equations).

use super::PageDoc;

pub const PAGES: &[PageDoc] = &[
    PageDoc {
        key: "engineering",
        parent: "",
        title: "Engineering",
        author: "Daniel Reyes",
        date: "2025-09-01",
        body: r#"
Welcome to the Engineering teamspace. Everything an engineer at Kestrel Labs needs to run, change and repair the platform lives here.
@toc
## Where to start
- [[eng/oncall]] explains how the rotation works and how to escalate.
- [[eng/runbooks]] holds step-by-step procedures for the operations we do under pressure.
- [[eng/postmortems]] records what went wrong, why, and what we changed afterwards.
- [[eng/adrs]] explains the big technical choices and the alternatives we rejected.
## Team rituals
Planning happens every second Monday at 10:00 Berlin time, and the sprint review is on the Friday before it. @{Daniel Reyes} runs the engineering all-hands on the first Thursday of each month.
"#,
    },
    PageDoc {
        key: "eng/runbooks",
        parent: "engineering",
        title: "Runbooks",
        author: "Tomás Lindqvist",
        date: "2025-09-03",
        body: r#"
A runbook is a procedure you can follow at three in the morning without thinking. If a step surprised you, fix the runbook before you close the incident.
!! Never run a runbook against production without announcing it in #ops first.
- [[eng/runbook-rollback]]
- [[eng/runbook-db-credentials]]
- [[eng/runbook-restore]]
- [[eng/runbook-ingestion]]
- [[eng/runbook-prod-access]]
"#,
    },
    PageDoc {
        key: "eng/runbook-rollback",
        parent: "eng/runbooks",
        title: "Roll back a bad deploy",
        author: "Tomás Lindqvist",
        date: "2025-10-14",
        body: r#"
Use this when a release makes the error rate or latency worse and a fix forward would take longer than ten minutes. Rolling back is always allowed; you do not need anyone's approval.
## Before you start
[ ] Post in #ops that you are rolling back, with the release you are leaving.
[ ] Check that no database migration in the bad release is irreversible (the release notes say so).
## Steps
1. Find the last good release: Argo CD shows the previous sync of the `api` application.
2. Pin the application to that release and sync it:
```shell
kestrel deploy rollback api --to 2026.03.02-4
argocd app sync api --prune
argocd app wait api --health --timeout 300
```
3. Watch the error rate on the API overview dashboard for five minutes. It should return to its baseline of under 0.1 %.
4. Freeze deploys of the service until the cause is understood:
```shell
kestrel deploy freeze api --reason "rollback after incident"
```
! A rollback restores code, not data. If the bad release wrote broken rows, follow [[eng/runbook-restore]] with the database team.
## Afterwards
Open a bug on the monday.com Bugs board, link the release, and unfreeze with `kestrel deploy unfreeze api` once the fix is merged.
"#,
    },
    PageDoc {
        key: "eng/runbook-db-credentials",
        parent: "eng/runbooks",
        title: "Rotate the database credentials",
        author: "Ben Carter",
        date: "2025-11-04",
        body: r#"
Postgres passwords for the application roles live in Vault and rotate every 90 days. Rotate them immediately when a laptop with production access is lost or a credential shows up in a log.
## Rotation
1. Generate a new password for the role and store it in Vault:
```shell
vault write database/rotate-role/api-writer
vault read database/creds/api-writer
```
2. Restart the pods so they pick up the new secret; the old password stays valid for 15 minutes:
```shell
kubectl -n api rollout restart deployment/api
kubectl -n api rollout status deployment/api
```
3. Confirm that no connection uses the old credential:
```sql
SELECT usename, count(*) FROM pg_stat_activity GROUP BY usename;
```
## Who to tell
Post the rotation in #security. @{Ben Carter} keeps the rotation log for the SOC 2 audit.
"#,
    },
    PageDoc {
        key: "eng/runbook-restore",
        parent: "eng/runbooks",
        title: "Restore a database from backup",
        author: "Hannah Becker",
        date: "2025-11-20",
        body: r#"
We take a full pgBackRest backup every night at 02:00 UTC and archive the write-ahead log continuously, so we can restore to any second of the last 14 days.
!! Restore into a new instance first. Never restore over the live primary.
1. Pick the target time, usually one minute before the bad write.
2. Start the restore into a scratch instance:
```shell
pgbackrest --stanza=main --type=time --target="2026-03-03 14:05:00+00" --delta restore
```
3. Compare the affected rows with production and copy them back with a reviewed SQL script.
4. Keep the scratch instance for seven days, then delete it.
A full restore of the 1.8 TB primary takes about 95 minutes; a point-in-time copy of one table is usually done in 20.
"#,
    },
    PageDoc {
        key: "eng/runbook-ingestion",
        parent: "eng/runbooks",
        title: "Clear an ingestion backlog",
        author: "Isabel Fernández",
        date: "2026-01-22",
        body: r#"
When Kafka consumer lag on the `events` topic keeps growing, dashboards fall behind. An alert fires when lag exceeds five minutes of traffic.
## Diagnose
```shell
kafka-consumer-groups --bootstrap-server kafka:9092 --describe --group ingest-writer
```
If partitions keep moving between consumers, the group is stuck rebalancing; see [[eng/pm-2026-01-19]].
## Fix
1. Scale the writers up so they can catch up: `kubectl -n ingest scale deployment/ingest-writer --replicas=24`.
2. If a single poisoned message blocks a partition, move it to the dead-letter topic with `kestrel ingest skip --partition N --offset M`.
3. Scale back to 12 replicas once the lag is under one minute.
"#,
    },
    PageDoc {
        key: "eng/runbook-prod-access",
        parent: "eng/runbooks",
        title: "Request production access",
        author: "Ben Carter",
        date: "2025-12-02",
        body: r#"
Nobody has standing access to production. Access is granted for eight hours at a time through Teleport and every session is recorded.
1. Run `tsh request create --roles=prod-readonly --reason "INC-231 investigate latency"`.
2. The on-call engineer or your manager approves the request in Slack.
3. For write access (`prod-admin`) a second approver from the SRE team is required.
Engineers get Teleport after their second week, once they have finished the security training described in [[people/onboarding]].
"#,
    },
    PageDoc {
        key: "eng/postmortems",
        parent: "engineering",
        title: "Incident postmortems",
        author: "Tomás Lindqvist",
        date: "2025-09-05",
        body: r#"
Every Sev1 and Sev2 incident gets a blameless postmortem within five working days. We look for causes in systems and processes, not in people.
- [[eng/pm-2026-03-03]]
- [[eng/pm-2026-02-11]]
- [[eng/pm-2026-01-19]]
"#,
    },
    PageDoc {
        key: "eng/pm-2026-03-03",
        parent: "eng/postmortems",
        title: "Postmortem: API outage on March 3",
        author: "Tomás Lindqvist",
        date: "2026-03-05",
        body: r#"
! Severity 1. 47 minutes of failed API requests on {date 2026-03-03}, 14:02 to 14:49 UTC. Incident commander: @{Tomás Lindqvist}.
## Summary
For 47 minutes most API requests failed with HTTP 503 and dashboards stopped loading for every customer. The outage happened because a configuration change shrank the PgBouncer connection pool from 400 to 40 connections, and the mobile clients' aggressive retries then kept the small pool saturated.
## Root cause
Release 2026.03.03-2 moved the PgBouncer settings into a new Helm values file. A typo in that file set `default_pool_size` to 40 instead of 400. Under normal afternoon load the API needs about 250 connections, so requests queued, timed out after 10 seconds and were retried. The Beacon beta app retried immediately and without backoff, which tripled the traffic and kept the pool exhausted even after load dropped.
## Timeline (UTC)
| Time | Event |
| 13:58 | Release 2026.03.03-2 deployed by Argo CD |
| 14:02 | Error rate alert fires; @{Leo Schmidt} is paged |
| 14:11 | Incident declared, @{Tomás Lindqvist} takes command |
| 14:31 | Pool exhaustion found in the PgBouncer metrics |
| 14:38 | Rolled back following [[eng/runbook-rollback]] |
| 14:49 | Error rate back to baseline |
## What went well
- The rollback took seven minutes from decision to recovery.
- Customer Success posted a status page update within 15 minutes.
## What went wrong
- Nothing validated the pool size before deploy.
- The mobile app had no retry backoff, so a partial failure became a full one.
## Action items
[x] Validate PgBouncer settings in CI against a schema (owner @{Hannah Becker}).
[x] Add exponential backoff with jitter to the Beacon client (owner @{Ravi Shah}).
[ ] Alert on pool wait time above 500 ms (owner @{Leo Schmidt}).
> The config change looked harmless because it only moved values between files. Reviews of moved configuration must diff the rendered output, not the source.
"#,
    },
    PageDoc {
        key: "eng/pm-2026-02-11",
        parent: "eng/postmortems",
        title: "Postmortem: SSO login failures on February 11",
        author: "Ben Carter",
        date: "2026-02-13",
        body: r#"
! Severity 2. Customers using SAML single sign-on could not log in for 2 hours 10 minutes on {date 2026-02-11}.
## Summary
The SAML signing certificate of our identity service expired at 08:00 UTC. Identity providers such as Okta and Azure AD rejected our login requests, so every customer on SSO, including Copperleaf Bank and Meridian Health Network, was locked out. Password logins kept working.
## Root cause
The certificate had a one-year lifetime and its renewal reminder went to the mailbox of an engineer who had left the company. Nothing monitored its expiry date.
## Resolution
@{Ben Carter} generated a new certificate, published the new metadata, and Customer Success asked the affected administrators to refresh the metadata in their identity provider. The last customer was back at 10:10 UTC.
## Action items
[x] Monitor every certificate with an alert 30 days before expiry.
[x] Send renewal reminders to the #security channel instead of a person.
[ ] Support two signing certificates at once so rotations need no customer action.
"#,
    },
    PageDoc {
        key: "eng/pm-2026-01-19",
        parent: "eng/postmortems",
        title: "Postmortem: delayed dashboard data on January 19",
        author: "Isabel Fernández",
        date: "2026-01-21",
        body: r#"
! Severity 2. Dashboards showed data up to six hours old on {date 2026-01-19}. No data was lost.
## Summary
After a Kafka broker upgrade, the ingestion writers entered a rebalancing loop: each rebalance took longer than the session timeout, so the group never settled and consumed almost nothing for six hours.
## Root cause
The upgrade changed the default rebalance protocol. Our writers commit offsets only after flushing a large batch to ClickHouse, which took 40 seconds, longer than the 30 second session timeout.
## What we changed
- Smaller flush batches and a 90 second session timeout.
- An alert on consumer lag measured in minutes of traffic, described in [[eng/runbook-ingestion]].
- Broker upgrades now go to staging for a full week first.
"#,
    },
    PageDoc {
        key: "eng/adrs",
        parent: "engineering",
        title: "Architecture decision records",
        author: "Daniel Reyes",
        date: "2025-09-08",
        body: r#"
An architecture decision record (ADR) explains one significant technical choice: the context, the decision, and its consequences. ADRs are never edited after they are accepted; a later ADR supersedes an earlier one.
- [[eng/adr-001]]
- [[eng/adr-002]]
- [[eng/adr-003]]
- [[eng/adr-004]]
"#,
    },
    PageDoc {
        key: "eng/adr-001",
        parent: "eng/adrs",
        title: "ADR-001: PostgreSQL as the primary datastore",
        author: "Hannah Becker",
        date: "2025-09-10",
        body: r#"
Status: accepted. Deciders: @{Hannah Becker}, @{Daniel Reyes}.
## Context
We need one transactional store for accounts, workspaces, permissions and billing. We compared PostgreSQL, Amazon DynamoDB and MongoDB.
## Decision
We use PostgreSQL 16 on Amazon RDS for all transactional data.
## Why not DynamoDB
- Our reporting and permission checks need joins and ad-hoc queries; in DynamoDB every new access pattern means a new index designed up front.
- Billing needs multi-row transactions and foreign keys.
- The whole team already knows SQL and Postgres operations; nobody had run DynamoDB at scale.
## Consequences
We must shard by workspace once the primary outgrows a single instance; [[eng/capacity]] estimates when. Analytics queries do not belong on Postgres; see [[eng/adr-004]].
"#,
    },
    PageDoc {
        key: "eng/adr-002",
        parent: "eng/adrs",
        title: "ADR-002: Webhooks instead of polling for event delivery",
        author: "Yusuf Demir",
        date: "2025-10-02",
        body: r#"
Status: accepted.
## Context
Customers integrate with Kestrel by calling `GET /v1/events` every few seconds. Polling made up 62 % of all API traffic in September and most responses were empty.
## Decision
We push events to customer endpoints with signed webhooks. Deliveries are retried with exponential backoff for up to 24 hours, and the polling endpoint stays for existing integrations but gets no new features.
## Consequences
- API traffic should drop by roughly half once the largest integrations move.
- We run a delivery queue and must monitor failed deliveries per customer.
- Customers must verify the `Kestrel-Signature` header; the docs include sample code.
@link_preview https://github.com/kestrel-labs/webhooks/pull/118
"#,
    },
    PageDoc {
        key: "eng/adr-003",
        parent: "eng/adrs",
        title: "ADR-003: GitOps deployments with Argo CD",
        author: "Tomás Lindqvist",
        date: "2025-10-20",
        body: r#"
Status: accepted.
## Decision
Every service is deployed by Argo CD from the `deploy` repository. Nobody runs `kubectl apply` against production by hand; the cluster state is whatever the repository says.
## Consequences
Rollbacks are a revert or a pin to an earlier release ([[eng/runbook-rollback]]). Configuration changes get the same review as code, which is why the March 3 outage led us to validate rendered configuration in CI.
"#,
    },
    PageDoc {
        key: "eng/adr-004",
        parent: "eng/adrs",
        title: "ADR-004: ClickHouse for dashboard aggregates",
        author: "Isabel Fernández",
        date: "2025-11-12",
        body: r#"
Status: accepted.
## Context
Orion's real-time dashboards need sub-second aggregations over billions of events. The same queries on PostgreSQL took 30 seconds or more.
## Decision
Raw events are written to ClickHouse by the ingestion writers, and dashboards read pre-aggregated materialized views from it. PostgreSQL stays the source of truth for accounts and configuration.
## Alternatives considered
| Option | Query latency | Why not |
| PostgreSQL with TimescaleDB | 2 to 8 s | Too slow at our largest customers' volume |
| Apache Druid | under 1 s | Heavy to operate for a team of our size |
| ClickHouse | under 1 s | Chosen |
"#,
    },
    PageDoc {
        key: "eng/oncall",
        parent: "engineering",
        title: "On-call handbook",
        author: "Tomás Lindqvist",
        date: "2025-09-15",
        body: r#"
Every engineer on the platform teams joins the on-call rotation after three months. A shift lasts one week and hands over on Monday at 10:00 Berlin time.
## Rotation
- The **primary** answers every page within 15 minutes, day and night.
- The **secondary** takes over if the primary does not acknowledge within 15 minutes.
- If neither answers within 30 minutes, PagerDuty escalates to the engineering manager on duty, and after 45 minutes to @{Daniel Reyes}.
## Severity levels
| Severity | Example | Response time | Status page |
| Sev1 | API or login down for most customers | 15 minutes | Within 15 minutes |
| Sev2 | A feature broken for many customers | 30 minutes | Within one hour |
| Sev3 | Degraded performance, workaround exists | Next working day | Not needed |
## Compensation
On-call engineers receive a stipend of $400 per week on call, plus a day off after any night with more than two hours of incident work.
## Escalation contacts
@synced escalation
  - SRE lead: @{Tomás Lindqvist}
  - Security: @{Ben Carter}
  - Customer communication: @{Marcus Johnson}
## FAQ
>> Can I swap a shift?
  Yes. Swap in PagerDuty and tell the #oncall channel; you do not need approval.
>> What if I am paged for something I do not understand?
  Escalate to the secondary right away. Nobody is expected to fix every system alone.
>> Do I have to write the postmortem?
  The incident commander writes it, usually with the primary. See [[eng/postmortems]].
"#,
    },
    PageDoc {
        key: "eng/capacity",
        parent: "engineering",
        title: "Capacity planning 2026",
        author: "Isabel Fernández",
        date: "2026-01-08",
        body: r#"
This page estimates how much storage and compute the event store needs through the end of 2026, so we can budget for it and plan the sharding work.
## Storage
Ingested events grow about 6 % per month. With \(E_0\) events per day today and monthly growth \(g\), the daily volume after \(m\) months is:
$$ E_m = E_0 \cdot (1 + g)^{m}
Storage for a retention window of \(R\) days with compressed event size \(s\):
$$ S = E_m \cdot s \cdot R
With \(E_0 = 1.9\) billion events per day, \(g = 0.06\), \(s = 38\) bytes and \(R = 400\) days, we need about **52 TB** of ClickHouse storage by December 2026, up from 29 TB today.
## Compute
Peak ingestion is 3.2 times the daily average. Each writer handles 45,000 events per second, so the number of writers we need at peak is:
$$ W = \left\lceil \frac{3.2 \cdot E_m}{86400 \cdot 45000} \right\rceil
That gives 5 writers today and 9 in December; we run 12 for headroom.
## PostgreSQL
The primary holds 1.8 TB and grows 40 GB a month. It reaches the 4 TB comfort limit of a single instance around mid 2027, so workspace sharding (see [[eng/adr-001]]) is planned for the first half of 2027.
"#,
    },
    PageDoc {
        key: "eng/security-incident",
        parent: "engineering",
        title: "Reporting a security incident",
        author: "Ben Carter",
        date: "2025-10-01",
        body: r#"
Report anything that might be a security problem, even if you are not sure: a suspicious email, a lost laptop, a credential pasted in the wrong channel.
## How to report
1. Post in #security or email security@kestrel.example. For phishing, forward the email as an attachment, then delete it.
2. If a device is lost or stolen, also tell IT so they can wipe it remotely.
3. If a credential leaked, rotate it right away; for database roles follow [[eng/runbook-db-credentials]].
! You will never be blamed for reporting. The only mistake is waiting.
The security team answers within one hour during working hours. Outside them, page the security on-call through PagerDuty.
@synced_ref escalation
"#,
    },
];
