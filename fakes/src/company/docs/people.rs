//! People teamspace: onboarding, the travel and expense policy (tables), the expenses FAQ
//! (toggles), benefits, time off and remote work.

use super::PageDoc;

pub const PAGES: &[PageDoc] = &[
    PageDoc {
        key: "people",
        parent: "",
        title: "People",
        author: "Grace Liu",
        date: "2025-09-01",
        body: r#"
Policies, benefits and everything about working at Kestrel Labs. Questions go to #ask-people or to @{Mei Chen}.
- [[people/onboarding]]
- [[people/travel]] and the [[people/expenses-faq]]
- [[people/benefits]]
- [[people/time-off]]
- [[people/remote]]
"#,
    },
    PageDoc {
        key: "people/onboarding",
        parent: "people",
        title: "Onboarding: your first week",
        author: "Mei Chen",
        date: "2025-09-12",
        body: r#"
Welcome to Kestrel Labs! This page walks you through your first five days. Your manager and your onboarding buddy will check in daily.
## Day one
[ ] Collect your laptop; it is shipped to your home a week before your start date.
[ ] Set up Okta, Google Workspace and Slack with the invite in your personal email.
[ ] Join the welcome session with @{Grace Liu} at 10:00 Berlin time.
## During the week
[ ] Finish the security awareness training (about 45 minutes) before Friday. Engineers need it for production access.
[ ] Meet your buddy for lunch; Kestrel pays up to $30.
[ ] Read the [[company/handbook]] and the [[people/travel]].
[ ] Engineers: set up your development environment with `make bootstrap` and ship a small change by Friday.
## Equipment
Everyone gets a 14-inch MacBook Pro, a monitor and a $500 home office budget for the first year. Request anything else in the #it-help channel.
@bookmark https://kestrel.example/benefits Benefits portal
"#,
    },
    PageDoc {
        key: "people/travel",
        parent: "people",
        title: "Travel and expense policy",
        author: "Omar Haddad",
        date: "2025-10-06",
        body: r#"
Spend company money as if it were your own. This policy covers business travel, meals and other expenses. Questions go to @{Omar Haddad} in Finance.
## Approvals
Book all travel through Navan. Every trip needs approval before you book, according to its total estimated cost:
| Total trip cost | Who approves |
| Up to $500 | Your manager |
| $500 to $2,000 | Your department head |
| Over $2,000 | The Finance Controller, Omar Haddad |
| International travel of any cost | Department head and Finance Controller |
## Flights and hotels
- Economy class for flights under six hours; premium economy for longer flights.
- Hotels up to $250 per night in most cities and $350 in London, New York, San Francisco and Zurich.
## Meals and per diem
| Trip type | Daily meal allowance |
| Domestic | $75 |
| International | $100 |
Alcohol is not reimbursed, except at customer dinners approved by your department head.
## Submitting expenses
Submit receipts in Navan within 30 days of the expense. Reimbursements are paid with the next payroll. See the [[people/expenses-faq]] for special cases.
"#,
    },
    PageDoc {
        key: "people/expenses-faq",
        parent: "people",
        title: "Expenses FAQ",
        author: "Omar Haddad",
        date: "2025-11-17",
        body: r#"
Answers to the questions Finance hears most often. The rules themselves are in [[people/travel]].
>> I lost a receipt. Can I still be reimbursed?
  Yes, for amounts under $75. Fill in the missing receipt form in Navan and describe the expense.
>> How long do I have to submit expenses?
  30 days. Expenses older than 90 days are not reimbursed.
>> Can I expense a co-working space?
  Yes, up to $300 per month if you live more than 50 km from an office. Ask your manager first.
>> Who pays for a conference ticket?
  Your team's learning budget of $1,500 per person per year. Travel to the conference follows the normal approval rules.
>> Can I use my personal credit card?
  Yes. Company cards are for people who travel more than four times a year; ask @{Omar Haddad}.
>> Are internet and phone bills covered?
  Kestrel pays $50 a month towards home internet for everyone who works remotely.
"#,
    },
    PageDoc {
        key: "people/benefits",
        parent: "people",
        title: "Benefits overview",
        author: "Grace Liu",
        date: "2025-09-20",
        body: r#"
Our benefits are the same for everyone in a country, whatever their role or level.
| Benefit | United States | Germany | United Kingdom |
| Health insurance | 100 % of premiums for you, 80 % for dependants | Statutory plus private top-up | Private medical insurance |
| Retirement | 401(k) with a 4 % match | Company pension, 5 % contribution | Pension, 6 % contribution |
| Parental leave | 16 weeks fully paid for every parent | 16 weeks fully paid for every parent | 16 weeks fully paid for every parent |
| Learning budget | $1,500 per year | €1,400 per year | £1,200 per year |
| Wellbeing | $60 per month | €55 per month | £50 per month |
## Parental leave
All parents get 16 weeks of fully paid leave, to be taken within the first year after a birth or adoption. You can split it into up to three blocks. Tell @{Mei Chen} at least eight weeks before your leave starts.
## Equity
Everyone receives stock options when they join, vesting over four years with a one-year cliff.
"#,
    },
    PageDoc {
        key: "people/time-off",
        parent: "people",
        title: "Time off and holidays",
        author: "Mei Chen",
        date: "2025-09-22",
        body: r#"
Everyone gets **25 days of paid vacation** a year, plus the public holidays of the country they live in. Unused days carry over until March 31 of the next year, up to five days.
## Booking time off
Request time off in Personio at least two weeks ahead for anything longer than three days. Your manager approves it; you do not need to give a reason.
## Sick days
Tell your manager as early as you can. From the fourth day in a row we need a doctor's note, as the law requires in Germany.
## Company-wide days off
| Date | Occasion |
| December 24 to January 1 | Winter break, the office is closed |
| The Friday after the summer all-hands | Kestrel Day |
"#,
    },
    PageDoc {
        key: "people/remote",
        parent: "people",
        title: "Remote work and working abroad",
        author: "Grace Liu",
        date: "2025-10-13",
        body: r#"
Kestrel is remote-first with offices in Berlin and Austin. You can work from home, from an office, or from a co-working space.
## Working from another country
You may work from abroad for up to 30 days a year. Request it at least four weeks ahead with @{Mei Chen}, because tax and social security rules differ by country. Working from outside your country for longer needs approval from @{Grace Liu} and usually a change of contract.
## Core hours
We ask everyone to be reachable between 14:00 and 17:00 Berlin time, which overlaps with mornings in Austin.
"#,
    },
];
