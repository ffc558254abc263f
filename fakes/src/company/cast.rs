//! The cast of the demo company, Kestrel Labs: its [`Person`]s, [`Customer`]s and
//! [`Project`]s. Notion pages and monday.com boards both draw names from these tables, so a
//! project's owner on the roadmap board is the same person its PRD and meeting notes name.

/// Someone who works at Kestrel Labs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    pub name: &'static str,
    pub role: &'static str,
    pub team: &'static str,
}

impl Person {
    /// The first name, for prose ("Tomás paged the secondary").
    pub fn first(&self) -> &'static str {
        self.name.split(' ').next().unwrap_or(self.name)
    }

    /// `first.last@kestrel.example`, ASCII only.
    pub fn email(&self) -> String {
        let ascii: String = self
            .name
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'á' => 'a',
                'é' => 'e',
                'í' => 'i',
                'ó' => 'o',
                'ö' => 'o',
                'ñ' => 'n',
                ' ' => '.',
                c => c,
            })
            .collect();
        format!("{ascii}@kestrel.example")
    }
}

/// Everyone, leadership first. The first person is the account admin on monday.com.
pub const PEOPLE: &[Person] = &[
    p("Maya Okafor", "Chief Executive Officer", "Leadership"),
    p("Daniel Reyes", "VP of Engineering", "Engineering"),
    p("Priya Natarajan", "Head of Product", "Product"),
    p("Grace Liu", "Head of People", "People"),
    p("Omar Haddad", "Finance Controller", "Finance"),
    p("Tomás Lindqvist", "SRE Lead", "Engineering"),
    p("Hannah Becker", "Staff Backend Engineer", "Engineering"),
    p("Kenji Watanabe", "Frontend Lead", "Engineering"),
    p("Amara Nwosu", "Product Manager", "Product"),
    p("Lucas Moreau", "Product Manager", "Product"),
    p("Sofia Russo", "Product Designer", "Product"),
    p("Ben Carter", "Security Engineer", "Engineering"),
    p("Isabel Fernández", "Data Engineer", "Engineering"),
    p("Yusuf Demir", "Backend Engineer", "Engineering"),
    p("Chloe Martin", "QA Engineer", "Engineering"),
    p("Ravi Shah", "Mobile Engineer", "Engineering"),
    p("Elena Petrova", "Account Executive", "Sales"),
    p(
        "Marcus Johnson",
        "Customer Success Manager",
        "Customer Success",
    ),
    p("Freya Jensen", "Solutions Engineer", "Sales"),
    p("Nadia Rahman", "Recruiter", "People"),
    p("Leo Schmidt", "Site Reliability Engineer", "Engineering"),
    p(
        "Aisha Bello",
        "Customer Success Manager",
        "Customer Success",
    ),
    p("Victor Almeida", "VP of Sales", "Sales"),
    p("Mei Chen", "People Operations Partner", "People"),
];

const fn p(name: &'static str, role: &'static str, team: &'static str) -> Person {
    Person { name, role, team }
}

/// A customer account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Customer {
    pub name: &'static str,
    pub industry: &'static str,
    /// Plan name: Team, Business or Enterprise.
    pub plan: &'static str,
    /// Annual recurring revenue in US dollars.
    pub arr: u32,
    pub account_executive: &'static str,
    pub csm: &'static str,
    pub city: &'static str,
}

/// Named customers; the account notes and the onboarding board cover each of them.
pub const CUSTOMERS: &[Customer] = &[
    c(
        "Meridian Health Network",
        "healthcare",
        "Enterprise",
        240_000,
        "Elena Petrova",
        "Marcus Johnson",
        "Berlin",
    ),
    c(
        "Copperleaf Bank",
        "banking",
        "Enterprise",
        310_000,
        "Victor Almeida",
        "Aisha Bello",
        "London",
    ),
    c(
        "Tidewater Logistics",
        "freight and logistics",
        "Business",
        96_000,
        "Elena Petrova",
        "Marcus Johnson",
        "Rotterdam",
    ),
    c(
        "Sunpeak Energy",
        "renewable energy",
        "Business",
        72_000,
        "Victor Almeida",
        "Aisha Bello",
        "Denver",
    ),
    c(
        "Harbor & Pine Outfitters",
        "outdoor retail",
        "Team",
        18_000,
        "Elena Petrova",
        "Aisha Bello",
        "Portland",
    ),
    c(
        "Bluebird Schools",
        "education",
        "Business",
        54_000,
        "Victor Almeida",
        "Marcus Johnson",
        "Austin",
    ),
    c(
        "Quarry Street Media",
        "publishing",
        "Team",
        21_000,
        "Elena Petrova",
        "Marcus Johnson",
        "New York",
    ),
    c(
        "Foxglove Pharmacies",
        "pharmacy retail",
        "Enterprise",
        188_000,
        "Victor Almeida",
        "Aisha Bello",
        "Dublin",
    ),
];

#[allow(clippy::too_many_arguments)]
const fn c(
    name: &'static str,
    industry: &'static str,
    plan: &'static str,
    arr: u32,
    account_executive: &'static str,
    csm: &'static str,
    city: &'static str,
) -> Customer {
    Customer {
        name,
        industry,
        plan,
        arr,
        account_executive,
        csm,
        city,
    }
}

/// A product or platform project, known by its codename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Project {
    pub codename: &'static str,
    pub summary: &'static str,
    pub product_manager: &'static str,
    pub tech_lead: &'static str,
    /// Planned launch or completion date, `YYYY-MM-DD`.
    pub target: &'static str,
    pub status: &'static str,
}

pub const PROJECTS: &[Project] = &[
    Project {
        codename: "Orion",
        summary: "real-time dashboards that refresh every five seconds",
        product_manager: "Amara Nwosu",
        tech_lead: "Kenji Watanabe",
        target: "2026-04-21",
        status: "At risk",
    },
    Project {
        codename: "Atlas",
        summary: "moving subscription billing from our in-house invoicer to Stripe Billing",
        product_manager: "Lucas Moreau",
        tech_lead: "Hannah Becker",
        target: "2026-06-30",
        status: "On track",
    },
    Project {
        codename: "Beacon",
        summary: "native iOS and Android apps for field supervisors",
        product_manager: "Amara Nwosu",
        tech_lead: "Ravi Shah",
        target: "2026-05-12",
        status: "On track",
    },
    Project {
        codename: "Nimbus",
        summary: "EU data residency with a Frankfurt region",
        product_manager: "Lucas Moreau",
        tech_lead: "Isabel Fernández",
        target: "2026-09-15",
        status: "Not started",
    },
    Project {
        codename: "Helix",
        summary: "audit logs and the controls we need for SOC 2 Type II",
        product_manager: "Priya Natarajan",
        tech_lead: "Ben Carter",
        target: "2026-07-31",
        status: "On track",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_person_exists() {
        let names: Vec<&str> = CUSTOMERS
            .iter()
            .flat_map(|c| [c.account_executive, c.csm])
            .chain(
                PROJECTS
                    .iter()
                    .flat_map(|p| [p.product_manager, p.tech_lead]),
            )
            .collect();
        for n in names {
            assert!(PEOPLE.iter().any(|p| p.name == n), "{n}");
        }
    }

    #[test]
    fn emails_are_ascii() {
        let tomas = PEOPLE.iter().find(|p| p.first() == "Tomás").unwrap();
        assert_eq!(tomas.email(), "tomas.lindqvist@kestrel.example");
        assert!(PEOPLE.iter().all(|p| p.email().is_ascii()));
    }
}
